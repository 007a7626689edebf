/**
 * One Forward request (one complete msgpack value) → its tag, records and chunk, following the
 * Forward Protocol Specification v1:
 *
 *   Message                  [tag, time, record, option?]
 *   Forward                  [tag, [[time, record], …], option?]
 *   PackedForward            [tag, bin|str of concatenated [time, record] values, option?]
 *   CompressedPackedForward  the same, gzip'ed (any number of members), option.compressed = "gzip"
 *
 * `nil` is a heartbeat. `time` is an integer (a float is tolerated) or an EventTime. Anything else
 * — a non-array, a tag that is not text, a record that is not a map, an `option.size` that does
 * not match the entries, an unknown compression — is a ForwardProtocolError: the caller closes
 * that connection without acking the request, so the client re-sends it elsewhere or later.
 *
 * Strings are decoded as raw bytes (`rawStrings`), so a `log` value that is not valid UTF-8
 * reaches the framer as it was sent instead of being "repaired" with U+FFFD.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Decoder } from '@msgpack/msgpack';
import { EventTime, createForwardExtensionCodec } from './event-time.js';

const gunzipAsync = promisify(gunzip);

export class ForwardProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardProtocolError';
  }
}

export type ForwardRecord = Readonly<Record<string, unknown>>;

export type DecodedRequest =
  | { readonly kind: 'heartbeat' }
  | {
      readonly kind: 'events';
      readonly mode: 'message' | 'forward' | 'packed' | 'compressed';
      readonly tag: string;
      readonly records: readonly ForwardRecord[];
      /** option.chunk: when present the client waits for {"ack": chunk}. */
      readonly chunk?: string;
    };

export interface RequestDecoder {
  /** Decodes one complete msgpack value (as cut by the frame scanner). */
  decodeValue(frame: Uint8Array): unknown;
  decode(frame: Uint8Array): Promise<DecodedRequest>;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A msgpack str or bin as text; undefined for any other type. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  return undefined;
}

export function describeType(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return 'str/bin';
  if (value instanceof EventTime) return 'EventTime';
  if (isMap(value)) return 'map';
  return typeof value === 'object' ? 'ext' : typeof value;
}

function checkTime(time: unknown, where: string): void {
  if (time instanceof EventTime) return;
  if (typeof time === 'number' && Number.isFinite(time) && time >= 0) return;
  throw new ForwardProtocolError(
    `${where}: time must be an integer or an EventTime, got ${describeType(time)}`,
  );
}

function checkEntry(entry: unknown, index: number): ForwardRecord {
  if (!Array.isArray(entry) || entry.length !== 2) {
    throw new ForwardProtocolError(`entry ${index} must be [time, record], got ${describeType(entry)}`);
  }
  checkTime(entry[0], `entry ${index}`);
  if (!isMap(entry[1]))
    throw new ForwardProtocolError(`entry ${index}: record must be a map, got ${describeType(entry[1])}`);
  return entry[1];
}

export function createRequestDecoder(limits: { readonly maxRequestBytes: number }): RequestDecoder {
  const decoder = new Decoder({ extensionCodec: createForwardExtensionCodec(), rawStrings: true });

  const unpackEntries = (bytes: Uint8Array): ForwardRecord[] => {
    const records: ForwardRecord[] = [];
    try {
      for (const entry of decoder.decodeMulti(bytes)) records.push(checkEntry(entry, records.length));
    } catch (error) {
      if (error instanceof ForwardProtocolError) throw error;
      throw new ForwardProtocolError(`packed entries are not valid msgpack: ${(error as Error).message}`);
    }
    return records;
  };

  return {
    decodeValue(frame) {
      try {
        return decoder.decode(frame);
      } catch (error) {
        throw new ForwardProtocolError(`not valid msgpack: ${(error as Error).message}`);
      }
    },
    async decode(frame) {
      const value = this.decodeValue(frame);
      if (value === null) return { kind: 'heartbeat' };
      if (!Array.isArray(value))
        throw new ForwardProtocolError(`a request must be an array, got ${describeType(value)}`);
      if (value.length < 2 || value.length > 4)
        throw new ForwardProtocolError(`a request has 2 to 4 elements, got ${value.length}`);
      const tag = asText(value[0]);
      if (tag === undefined)
        throw new ForwardProtocolError(`tag must be a string, got ${describeType(value[0])}`);
      const second: unknown = value[1];
      let mode: 'message' | 'forward' | 'packed' | 'compressed';
      let records: ForwardRecord[];
      let option: unknown;
      if (typeof second === 'number' || second instanceof EventTime) {
        if (value.length < 3) throw new ForwardProtocolError('a Message request needs [tag, time, record]');
        checkTime(second, 'Message');
        if (!isMap(value[2]))
          throw new ForwardProtocolError(`Message record must be a map, got ${describeType(value[2])}`);
        mode = 'message';
        records = [value[2]];
        option = value[3];
      } else {
        if (value.length > 3)
          throw new ForwardProtocolError(`a Forward request has at most 3 elements, got ${value.length}`);
        option = value[2];
        if (Array.isArray(second)) {
          mode = 'forward';
          records = second.map(checkEntry);
        } else if (second instanceof Uint8Array) {
          const compressed = isMap(option) ? option['compressed'] : undefined;
          let entries: Uint8Array = second;
          mode = 'packed';
          if (compressed !== undefined && compressed !== null) {
            if (asText(compressed) !== 'gzip')
              throw new ForwardProtocolError(
                `unsupported compression ${JSON.stringify(asText(compressed) ?? describeType(compressed))}`,
              );
            mode = 'compressed';
            try {
              // maxOutputLength stops inflating at the limit: a gzip bomb never expands past it.
              entries = await gunzipAsync(second, { maxOutputLength: limits.maxRequestBytes });
            } catch (error) {
              const code = (error as NodeJS.ErrnoException).code;
              if (code === 'ERR_BUFFER_TOO_LARGE')
                throw new ForwardProtocolError(
                  `gzip entries expand past the ${limits.maxRequestBytes}-byte request limit`,
                );
              throw new ForwardProtocolError(`gzip entries cannot be inflated: ${(error as Error).message}`);
            }
          }
          records = unpackEntries(entries);
        } else {
          throw new ForwardProtocolError(
            `second element must be time, array or str/bin, got ${describeType(second)}`,
          );
        }
      }
      if (option !== undefined && option !== null && !isMap(option))
        throw new ForwardProtocolError(`option must be a map, got ${describeType(option)}`);
      const size = option?.['size'];
      if (size !== undefined && size !== null && size !== records.length) {
        throw new ForwardProtocolError(
          `option.size is ${JSON.stringify(typeof size === 'number' ? size : describeType(size))} but the request holds ${records.length} events`,
        );
      }
      const rawChunk = option?.['chunk'];
      const chunk = rawChunk === undefined || rawChunk === null ? undefined : asText(rawChunk);
      if (rawChunk !== undefined && rawChunk !== null && chunk === undefined)
        throw new ForwardProtocolError(`option.chunk must be a string, got ${describeType(rawChunk)}`);
      return chunk === undefined
        ? { kind: 'events', mode, tag, records }
        : { kind: 'events', mode, tag, records, chunk };
    },
  };
}
