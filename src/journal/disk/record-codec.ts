/**
 * The byte layout of one journal record (little-endian), documented in README.md:
 *
 *   0  u32  payload length N        (covers everything after this 8-byte header)
 *   4  u32  CRC-32 of the payload   (zlib.crc32, the IEEE polynomial)
 *   8  u32  seq, low 32 bits
 *  12  u32  seq, high bits           (seq < 2^53)
 *  16  f64  receivedAtMs
 *  24  u8   source                   (0 server, 1 agent)
 *  25  u8   flags                    (bit 0: metadata present; bit 1: integrity block present;
 *                                     bit 2: checkpoint record; other bits 0, refused as corrupt)
 *  26  u16  id length L              (0: the id is derived as `${journalId}-${seq}`)
 *  28  L    id, UTF-8                (only when the source chose one)
 *  28+L     with flag bit 0 only: u16 metadata length M, then M bytes of UTF-8 JSON of the
 *           input metadata (an object of strings, e.g. {"namespace":"prod","pod":"…"})
 *  …        with flag bit 1 only: 32 bytes prev, then 32 bytes chain (integrity/chain.ts)
 *  …        line, UTF-8              (the original line; the parsed event is re-derived from it)
 *
 * Only what cannot be derived is stored: `bytes` is N - 20 - L (- 2 - M) and `event` is
 * JSON.parse(line), projected as the journal was told (audit/projection.ts). A record without
 * metadata (stdin, every journal written before metadata existed) has flags 0 and is laid out
 * exactly as before, so old journals open unchanged; the integrity block and the checkpoint flag
 * are only written when an integrity key is configured.
 */
import { crc32 } from 'node:zlib';
import { keepWholeEvent, type EventProjector } from '../../audit/projection.js';
import type { AcceptedEvent, AuditEvent, AuditRecord, RecordedEvent } from '../../audit/record.js';
import { CHAIN_BYTES } from '../../integrity/chain.js';

export const headerBytes = 8;
const fixedPayload = 20;
/** Framing cost of one record without a source-chosen id. */
export const recordOverhead = headerBytes + fixedPayload;
/** Larger lengths are corruption, not records (lines are capped far below by max_line_bytes), so a
 * damaged length field never makes a reader allocate more than this. */
export const maxPayloadBytes = 16 * 1024 * 1024;
const maxIdBytes = 0xffff;
const maxMetadataBytes = 0xffff;
const METADATA_FLAG = 1;
const INTEGRITY_FLAG = 2;
const CHECKPOINT_FLAG = 4;
const KNOWN_FLAGS = METADATA_FLAG | INTEGRITY_FLAG | CHECKPOINT_FLAG;
/** prev ‖ chain, stored with each audit event when integrity is on. */
export const integrityBlockBytes = 2 * CHAIN_BYTES;

/** What the journal writes beside the event when integrity is on (chain-state.ts). */
export interface EntryExtras {
  /** prev ‖ chain (64 bytes) of an audit event. */
  readonly block?: Buffer;
  /** A checkpoint record: its line is the checkpoint JSON. */
  readonly checkpoint?: boolean;
}

/**
 * The stored text of an event's metadata, or undefined when it has none. Inputs hand the same
 * metadata object to every line of one file or container, so the last one's text is reused.
 */
let lastMetadata: AcceptedEvent['metadata'];
let lastMetadataText = '';
let lastMetadataBytes = 0;
function metadataText(e: AcceptedEvent): { text: string; bytes: number } | undefined {
  const metadata = e.metadata;
  if (metadata === undefined) return undefined;
  if (metadata !== lastMetadata) {
    lastMetadataText = JSON.stringify(metadata);
    lastMetadataBytes = Buffer.byteLength(lastMetadataText);
    lastMetadata = metadata;
  }
  return { text: lastMetadataText, bytes: lastMetadataBytes };
}

/** Encoded size of one event (what it costs on disk). */
export function encodedSize(e: AcceptedEvent): number {
  const meta = metadataText(e);
  return (
    recordOverhead +
    (e.id === undefined ? 0 : Buffer.byteLength(e.id)) +
    (meta === undefined ? 0 : 2 + meta.bytes) +
    e.bytes
  );
}

/** Room past the last record so an over-long line shows up as extra bytes written (see below). */
const slack = 4;

/**
 * Encodes events[i] with seq firstSeq+i into one buffer (a view of `scratch` when it is big
 * enough, so the hot path allocates no buffer per batch). `ends[i]` is the end offset of record i,
 * so a prefix of the batch can be written on its own when the journal is nearly full.
 */
export function encodeBatch(
  events: readonly AcceptedEvent[],
  firstSeq: number,
  scratch?: Buffer,
  extras?: readonly (EntryExtras | undefined)[],
): { readonly buffer: Buffer; readonly ends: number[] } {
  let total = 0;
  const ends: number[] = new Array<number>(events.length);
  for (let i = 0; i < events.length; i++) {
    total += encodedSize(events[i]!) + (extras?.[i]?.block ? integrityBlockBytes : 0);
    ends[i] = total;
  }
  const buffer = scratch && scratch.length >= total + slack ? scratch : Buffer.allocUnsafe(total + slack);
  let at = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const seq = firstSeq + i;
    const payload = at + headerBytes;
    buffer.writeUInt32LE(seq >>> 0, payload);
    buffer.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), payload + 4);
    buffer.writeDoubleLE(e.receivedAtMs, payload + 8);
    buffer[payload + 16] = e.source === 'agent' ? 1 : 0;
    const meta = metadataText(e);
    const extra = extras?.[i];
    buffer[payload + 17] =
      (meta === undefined ? 0 : METADATA_FLAG) |
      (extra?.block ? INTEGRITY_FLAG : 0) |
      (extra?.checkpoint ? CHECKPOINT_FLAG : 0);
    let idLength = 0;
    if (e.id !== undefined) {
      idLength = buffer.write(e.id, payload + fixedPayload, 'utf8');
      if (idLength > maxIdBytes || idLength !== Buffer.byteLength(e.id)) {
        throw new RangeError(`event id longer than ${maxIdBytes} bytes`);
      }
    }
    buffer.writeUInt16LE(idLength, payload + 18);
    let lineAt = payload + fixedPayload + idLength;
    if (meta !== undefined) {
      if (meta.bytes > maxMetadataBytes)
        throw new RangeError(`event metadata longer than ${maxMetadataBytes} bytes`);
      buffer.writeUInt16LE(meta.bytes, lineAt);
      buffer.write(meta.text, lineAt + 2, meta.bytes, 'utf8');
      lineAt += 2 + meta.bytes;
    }
    if (extra?.block) {
      if (extra.block.length !== integrityBlockBytes) throw new RangeError('integrity block is not 64 bytes');
      extra.block.copy(buffer, lineAt);
      lineAt += integrityBlockBytes;
    }
    const end = ends[i]!;
    // `bytes` sized the buffer, and a wrong value would shift every later record: a caller bug.
    // Writing with `slack` spare bytes (overwritten by the next record) makes a line longer than
    // `bytes` write more than `bytes`, so one UTF-8 pass checks it.
    if (buffer.write(e.line, lineAt, e.bytes + slack, 'utf8') !== e.bytes) {
      throw new RangeError(`accepted event bytes (${e.bytes}) is not the UTF-8 length of its line`);
    }
    const length = end - payload;
    if (length > maxPayloadBytes)
      throw new RangeError(`journal record of ${length} bytes exceeds ${maxPayloadBytes}`);
    buffer.writeUInt32LE(length, at);
    buffer.writeUInt32LE(crc32(buffer.subarray(payload, end)), at + 4);
    at = end;
  }
  return { buffer, ends };
}

export type FrameCheck =
  | { readonly kind: 'ok'; readonly size: number }
  | { readonly kind: 'need'; readonly size: number }
  | { readonly kind: 'corrupt'; readonly reason: string };

/**
 * Checks the record starting at buf[at] with `available` bytes present: 'need' asks for at least
 * `size` bytes; 'ok' means the record (header + payload, `size` bytes) is complete and its CRC holds.
 */
export function checkFrame(buf: Buffer, at: number, available: number): FrameCheck {
  if (available < headerBytes) return { kind: 'need', size: headerBytes };
  const length = buf.readUInt32LE(at);
  if (length < fixedPayload || length > maxPayloadBytes)
    return { kind: 'corrupt', reason: `bad length ${length}` };
  const size = headerBytes + length;
  if (available < size) return { kind: 'need', size };
  if (crc32(buf.subarray(at + headerBytes, at + size)) !== buf.readUInt32LE(at + 4)) {
    return { kind: 'corrupt', reason: 'checksum mismatch' };
  }
  const flags = buf[at + headerBytes + 17]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) return { kind: 'corrupt', reason: `unknown flags ${flags}` };
  const idLength = buf.readUInt16LE(at + headerBytes + 18);
  if (fixedPayload + idLength > length) return { kind: 'corrupt', reason: 'id longer than the record' };
  let blockAt = fixedPayload + idLength;
  if (flags & METADATA_FLAG) {
    const metaAt = fixedPayload + idLength;
    if (metaAt + 2 > length) return { kind: 'corrupt', reason: 'metadata length past the record' };
    blockAt = metaAt + 2 + buf.readUInt16LE(at + headerBytes + metaAt);
    if (blockAt > length) {
      return { kind: 'corrupt', reason: 'metadata longer than the record' };
    }
  }
  if (flags & INTEGRITY_FLAG && blockAt + integrityBlockBytes > length) {
    return { kind: 'corrupt', reason: 'integrity block past the record' };
  }
  return { kind: 'ok', size };
}

/** Why a frame whose CRC holds does not decode (a writer bug, not disk damage). */
export class RecordDecodeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RecordDecodeError';
  }
}

/** Seq of a record whose frame checked 'ok'. */
export function frameSeq(buf: Buffer, at: number): number {
  const payload = at + headerBytes;
  return buf.readUInt32LE(payload) + buf.readUInt32LE(payload + 4) * 0x1_0000_0000;
}

/**
 * The chain facts of a frame that checked 'ok', without decoding the line (recovery reads these):
 * its prev‖chain block when it has one, and whether it is a checkpoint record.
 */
export function frameChain(
  buf: Buffer,
  at: number,
): { readonly block?: Buffer; readonly checkpoint: boolean } {
  const payload = at + headerBytes;
  const flags = buf[payload + 17]!;
  const checkpoint = (flags & CHECKPOINT_FLAG) !== 0;
  if ((flags & INTEGRITY_FLAG) === 0) return { checkpoint };
  let blockAt = payload + fixedPayload + buf.readUInt16LE(payload + 18);
  if (flags & METADATA_FLAG) blockAt += 2 + buf.readUInt16LE(blockAt);
  return { block: Buffer.from(buf.subarray(blockAt, blockAt + integrityBlockBytes)), checkpoint };
}

/** The id the source chose for a frame that checked 'ok' (file identity + offset…); undefined when derived. */
export function frameSourceId(buf: Buffer, at: number): string | undefined {
  const payload = at + headerBytes;
  const idLength = buf.readUInt16LE(payload + 18);
  return idLength === 0
    ? undefined
    : buf.toString('utf8', payload + fixedPayload, payload + fixedPayload + idLength);
}

/**
 * The AuditRecord of a frame that checked 'ok'. Throws RecordDecodeError when the stored line is
 * not JSON or the metadata is not an object of strings, which a valid CRC makes a writer bug
 * rather than disk damage; callers count it as corrupt.
 */
export function decodeFrame(
  buf: Buffer,
  at: number,
  size: number,
  idPrefix: string,
  project: EventProjector = keepWholeEvent,
): AuditRecord {
  const payload = at + headerBytes;
  const seq = frameSeq(buf, at);
  const idLength = buf.readUInt16LE(payload + 18);
  const idEnd = payload + fixedPayload + idLength;
  const flags = buf[payload + 17]!;
  let lineAt = idEnd;
  let metadata: Readonly<Record<string, string>> | undefined;
  if (flags & METADATA_FLAG) {
    const metaBytes = buf.readUInt16LE(idEnd);
    metadata = parseMetadata(buf.toString('utf8', idEnd + 2, idEnd + 2 + metaBytes));
    lineAt = idEnd + 2 + metaBytes;
  }
  let integrity: AuditRecord['integrity'];
  if (flags & INTEGRITY_FLAG) {
    integrity = {
      journal: idPrefix.slice(0, -1),
      prev: buf.toString('hex', lineAt, lineAt + CHAIN_BYTES),
      chain: buf.toString('hex', lineAt + CHAIN_BYTES, lineAt + integrityBlockBytes),
    };
    lineAt += integrityBlockBytes;
  }
  const line = buf.toString('utf8', lineAt, at + size);
  let event: RecordedEvent;
  try {
    event = project(JSON.parse(line) as AuditEvent);
  } catch {
    throw new RecordDecodeError('line is not JSON');
  }
  const record: AuditRecord = {
    line,
    bytes: at + size - lineAt,
    event,
    source: buf[payload + 16] === 1 ? 'agent' : 'server',
    receivedAtMs: buf.readDoubleLE(payload + 8),
    seq,
    id: frameSourceId(buf, at) ?? idPrefix + seq,
  };
  if (metadata === undefined && integrity === undefined && (flags & CHECKPOINT_FLAG) === 0) return record;
  return {
    ...record,
    ...(metadata !== undefined ? { metadata } : {}),
    ...(integrity !== undefined ? { integrity } : {}),
    ...(flags & CHECKPOINT_FLAG ? { kind: 'checkpoint' as const } : {}),
  };
}

function parseMetadata(text: string): Readonly<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RecordDecodeError('metadata is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RecordDecodeError('metadata is not an object');
  }
  for (const value of Object.values(parsed)) {
    if (typeof value !== 'string') throw new RecordDecodeError('metadata holds a value that is not a string');
  }
  return parsed as Record<string, string>;
}
