/**
 * Protobuf wire primitives for the hand-written PushRequest writer in encode.ts. They live apart
 * from push-proto.ts so the hot path does not load protobufjs (about 7 MiB of RSS): protobufjs
 * defines the messages, decodes in the test receiver, and is the reference the tests compare the
 * writer's bytes against.
 */
/** Bytes of `v` as a protobuf varint; negative numbers take 10 (int64 two's complement). */
export function varintLen(v: number): number {
  if (v < 0) return 10;
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 4 + varintLen(Math.floor(v / 0x10000000));
}

/** Writes `v` (an integral number) as a varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  if (v >= 0 && v <= 0x7fffffff) {
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    return pos;
  }
  if (v < 0) {
    // Two's complement over 64 bits, as protobuf encodes a negative int64 (10 bytes).
    let b = BigInt.asUintN(64, BigInt(v));
    while (b >= 0x80n) {
      buf[pos++] = Number(b & 0x7fn) | 0x80;
      b >>= 7n;
    }
    buf[pos++] = Number(b);
    return pos;
  }
  // Above 2^31 bit operators would truncate; dividing an integral double by 128 and flooring is exact.
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

const SHORT = 64;

/** UTF-8 length; short strings are measured in JS, which beats a native call for ids and names. */
export function utf8Length(s: string): number {
  if (s.length > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Writes `s` whose UTF-8 length is `bytes`. Buffer#write without a length is its fastest form. */
export function writeUtf8(buf: Buffer, pos: number, s: string, bytes: number): number {
  if (bytes === s.length && bytes <= SHORT) {
    for (let i = 0; i < bytes; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + bytes;
  }
  return pos + buf.write(s, pos);
}

/** Bytes of a length-delimited field (tag + length + payload) with a payload of `n` bytes. */
export const fieldLen = (n: number): number => 1 + varintLen(n) + n;
