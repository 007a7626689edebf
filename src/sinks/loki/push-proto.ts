/**
 * Loki's push protobuf (pkg/push/push.proto), defined here from an embedded .proto string so there
 * are no generated files and nothing is fetched. Field numbers and types follow docs/receivers.md §1.
 *
 * `Timestamp` is declared in our own package rather than imported as google.protobuf.Timestamp: the
 * wire bytes are identical (message names never reach the wire) and protobufjs then needs no import
 * resolution or well-known-type wrappers.
 *
 * This module is the reference encoding: the hot path (encode.ts, with the wire primitives at the
 * end of this file) writes the same bytes by hand and the tests compare both; the test receiver
 * decodes with `decodePushRequest`.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package logproto;

message PushRequest {
  repeated StreamAdapter streams = 1;
}

message StreamAdapter {
  string labels = 1;
  repeated EntryAdapter entries = 2;
  uint64 hash = 3;
}

message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
  repeated LabelPairAdapter parsed = 4;
}

message LabelPairAdapter {
  string name = 1;
  string value = 2;
}

message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const PushRequestType = root.lookupType('logproto.PushRequest');

export interface PushLabelPair {
  readonly name: string;
  readonly value: string;
}

export interface PushEntry<Seconds = number> {
  readonly timestamp: { readonly seconds: Seconds; readonly nanos: number };
  readonly line: string;
  readonly structuredMetadata: readonly PushLabelPair[];
}

export interface PushStream<Seconds = number> {
  readonly labels: string;
  readonly entries: readonly PushEntry<Seconds>[];
}

/** What we send. Seconds are plain numbers: exact for every integer up to 2^53. */
export interface PushRequest {
  readonly streams: readonly PushStream[];
}

/** What a receiver reads back. Seconds are bigint so a full int64 survives. */
export interface DecodedPushRequest {
  readonly streams: readonly PushStream<bigint>[];
}

/** The reference (reflection-based) encoder. Slower than the hand-written hot path; used to check it. */
export function encodePushRequest(request: PushRequest): Uint8Array {
  return PushRequestType.encode(PushRequestType.fromObject(request)).finish();
}

interface RawEntry {
  timestamp?: { seconds: string; nanos: number };
  line: string;
  structuredMetadata: PushLabelPair[];
}
interface RawPush {
  streams: { labels: string; entries: RawEntry[] }[];
}

/** Throws (protobufjs errors) on bytes that are not a PushRequest: a receiver turns that into a 400. */
export function decodePushRequest(bytes: Uint8Array): DecodedPushRequest {
  const message = PushRequestType.decode(bytes);
  const raw = PushRequestType.toObject(message, { longs: String, arrays: true, defaults: true }) as RawPush;
  return {
    streams: raw.streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: BigInt(e.timestamp?.seconds ?? '0'), nanos: e.timestamp?.nanos ?? 0 },
        line: e.line,
        structuredMetadata: e.structuredMetadata.map((p) => ({ name: p.name, value: p.value })),
      })),
    })),
  };
}

export { varintLen, writeVarint, utf8Length, writeUtf8, fieldLen } from './wire.js';
