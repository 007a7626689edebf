/**
 * Finds where each msgpack value ends in a TCP byte stream, without decoding it.
 *
 * Forward requests are framed by msgpack itself (no length prefix), so a server must know when a
 * value is complete before decoding it. Decoders that retry on "incomplete" re-parse the value from
 * its start on every read (quadratic for a 16 MiB request in 64 KiB reads) and buffer whatever a
 * header claims. This scanner walks each byte once, keeps only the bytes of the value in progress,
 * and checks every header against `maxFrameBytes` *before* any payload arrives: a `bin32` header
 * declaring 100 MiB is refused at its fifth byte, with nothing allocated for it.
 *
 * Guarantees: `push` returns complete values in order (each a Buffer holding exactly one msgpack
 * value); a value split across any number of chunks, and any number of values in one chunk, are
 * both handled; nesting deeper than `maxDepth` and the reserved byte 0xc1 are errors.
 */
export class FrameError extends Error {
  constructor(
    readonly code: 'too_large' | 'too_deep' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export interface FrameScannerOptions {
  readonly maxFrameBytes: number;
  readonly maxDepth?: number;
}

/** What a header byte announces: its own length, then how it learns its payload/children. */
type HeaderKind = 'scalar' | 'payload' | 'array' | 'map';

interface HeaderShape {
  readonly kind: HeaderKind;
  /** Bytes of the header itself, type byte included (ext's type byte included). */
  readonly length: number;
  /** Size of the length/count field after the type byte (0: encoded in the type byte or fixed). */
  readonly field: number;
  /** Fixed payload (fixext) or count/length carried in the type byte. */
  readonly fixed: number;
}

function shapeOf(b: number): HeaderShape | undefined {
  if (b <= 0x7f || b >= 0xe0) return { kind: 'scalar', length: 1, field: 0, fixed: 0 };
  if (b <= 0x8f) return { kind: 'map', length: 1, field: 0, fixed: b & 0x0f };
  if (b <= 0x9f) return { kind: 'array', length: 1, field: 0, fixed: b & 0x0f };
  if (b <= 0xbf) return { kind: 'payload', length: 1, field: 0, fixed: b & 0x1f };
  switch (b) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return { kind: 'scalar', length: 1, field: 0, fixed: 0 };
    case 0xc4:
    case 0xd9:
      return { kind: 'payload', length: 2, field: 1, fixed: 0 };
    case 0xc5:
    case 0xda:
      return { kind: 'payload', length: 3, field: 2, fixed: 0 };
    case 0xc6:
    case 0xdb:
      return { kind: 'payload', length: 5, field: 4, fixed: 0 };
    case 0xc7:
      return { kind: 'payload', length: 3, field: 1, fixed: 0 };
    case 0xc8:
      return { kind: 'payload', length: 4, field: 2, fixed: 0 };
    case 0xc9:
      return { kind: 'payload', length: 6, field: 4, fixed: 0 };
    case 0xca:
    case 0xce:
    case 0xd2:
      return { kind: 'scalar', length: 5, field: 0, fixed: 0 };
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return { kind: 'scalar', length: 9, field: 0, fixed: 0 };
    case 0xcc:
    case 0xd0:
      return { kind: 'scalar', length: 2, field: 0, fixed: 0 };
    case 0xcd:
    case 0xd1:
      return { kind: 'scalar', length: 3, field: 0, fixed: 0 };
    case 0xd4:
      return { kind: 'payload', length: 2, field: 0, fixed: 1 };
    case 0xd5:
      return { kind: 'payload', length: 2, field: 0, fixed: 2 };
    case 0xd6:
      return { kind: 'payload', length: 2, field: 0, fixed: 4 };
    case 0xd7:
      return { kind: 'payload', length: 2, field: 0, fixed: 8 };
    case 0xd8:
      return { kind: 'payload', length: 2, field: 0, fixed: 16 };
    case 0xdc:
      return { kind: 'array', length: 3, field: 2, fixed: 0 };
    case 0xdd:
      return { kind: 'array', length: 5, field: 4, fixed: 0 };
    case 0xde:
      return { kind: 'map', length: 3, field: 2, fixed: 0 };
    case 0xdf:
      return { kind: 'map', length: 5, field: 4, fixed: 0 };
    default:
      return undefined; // 0xc1: never used
  }
}

export interface FrameScanner {
  /** Complete values finished by this chunk, in order. Throws FrameError; the stream is then unusable. */
  push(chunk: Buffer): Buffer[];
  /** Bytes held for the value in progress (and any bytes after it not yet scanned). */
  readonly bufferedBytes: number;
}

export function createFrameScanner(options: FrameScannerOptions): FrameScanner {
  const maxFrame = options.maxFrameBytes;
  const maxDepth = options.maxDepth ?? 64;
  const chunks: Buffer[] = [];
  let buffered = 0;
  /** Bytes of the current value scanned so far (the value starts at chunks[0][0]). */
  let pos = 0;
  let ci = 0;
  let co = 0;
  /** Payload bytes still to pass over (str/bin/ext data). */
  let skip = 0;
  /** Items still expected at each open nesting level; empty between values. */
  const stack: number[] = [];
  /** Sum of `stack`: each expected item needs at least one more byte. */
  let expected = 0;
  let inValue = false;

  const advance = (n: number): void => {
    pos += n;
    while (n > 0) {
      const rest = chunks[ci]!.length - co;
      if (n < rest) {
        co += n;
        return;
      }
      n -= rest;
      ci++;
      co = 0;
    }
  };

  const peek = (n: number): Buffer => {
    const first = chunks[ci]!;
    if (co + n <= first.length) return first.subarray(co, co + n);
    const out = Buffer.allocUnsafe(n);
    let got = 0;
    let i = ci;
    let o = co;
    while (got < n) {
      const c = chunks[i]!;
      const take = Math.min(n - got, c.length - o);
      c.copy(out, got, o, o + take);
      got += take;
      i++;
      o = 0;
    }
    return out;
  };

  const cut = (): Buffer => {
    const parts: Buffer[] = [];
    let remaining = pos;
    let used = 0;
    while (remaining > 0) {
      const c = chunks[used]!;
      if (c.length <= remaining) {
        parts.push(c);
        remaining -= c.length;
        used++;
      } else {
        parts.push(c.subarray(0, remaining));
        chunks[used] = c.subarray(remaining);
        remaining = 0;
      }
    }
    chunks.splice(0, used);
    buffered -= pos;
    pos = 0;
    ci = 0;
    co = 0;
    inValue = false;
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };

  const readField = (header: Buffer, shape: HeaderShape): number => {
    if (shape.field === 0) return shape.fixed;
    if (shape.field === 1) return header.readUInt8(1);
    if (shape.field === 2) return header.readUInt16BE(1);
    return header.readUInt32BE(1);
  };

  return {
    get bufferedBytes() {
      return buffered;
    },
    push(chunk) {
      const frames: Buffer[] = [];
      if (chunk.length === 0) return frames;
      chunks.push(chunk);
      buffered += chunk.length;
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buffered - pos);
          if (n > 0) advance(n);
          skip -= n;
          if (skip > 0) break;
          if (stack.length === 0) frames.push(cut());
          continue;
        }
        if (pos >= buffered) break;
        if (!inValue) {
          inValue = true;
          stack.push(1);
          expected = 1;
        }
        const typeByte = chunks[ci]![co]!;
        const shape = shapeOf(typeByte);
        if (!shape) throw new FrameError('malformed', `reserved msgpack byte 0xc1 at offset ${pos}`);
        if (buffered - pos < shape.length) break;
        const header = peek(shape.length);
        const n = readField(header, shape);
        const children = shape.kind === 'array' ? n : shape.kind === 'map' ? 2 * n : 0;
        const payload = shape.kind === 'payload' ? n : 0;
        // The smallest this value can still be: what is scanned, this item, and one byte per item owed.
        const least = pos + shape.length + payload + (expected - 1) + children;
        if (least > maxFrame) {
          throw new FrameError(
            'too_large',
            `request of at least ${least} bytes is over the ${maxFrame}-byte limit`,
          );
        }
        advance(shape.length);
        stack[stack.length - 1]!--;
        expected--;
        if (children > 0) {
          if (stack.length >= maxDepth)
            throw new FrameError('too_deep', `msgpack nested deeper than ${maxDepth} levels`);
          stack.push(children);
          expected += children;
        }
        while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop();
        skip = payload;
        if (skip === 0 && stack.length === 0) frames.push(cut());
      }
      return frames;
    },
  };
}
