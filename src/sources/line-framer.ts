/**
 * Cuts a byte stream into lines without ever holding more than `maxLineBytes` of one line.
 *
 * Why not split2 (from the design card): split2 decodes bytes to text *before* splitting, so
 * invalid UTF-8 is silently replaced by U+FFFD, and an over-long line is either silently skipped
 * or kills the stream. An audit shipper must do neither, so framing works on bytes:
 *
 * - A line ends at "\n"; a trailing "\r" (CRLF) and a leading UTF-8 BOM are removed.
 * - A line of valid UTF-8 becomes `{ kind: 'line', text, bytes }`; `text` decodes exactly the
 *   line's bytes, so sinks can ship it byte-for-byte.
 * - A line that is not valid UTF-8 becomes `invalid_utf8` with its raw bytes (for the dead-letter
 *   file), never a "repaired" text.
 * - A line longer than `maxLineBytes` becomes `too_long` with its first `prefixBytes` bytes and
 *   its real length; the rest is counted and discarded as it streams by.
 * - The last line of the stream counts even without a final "\n"; an empty stream has no lines.
 * - Every line carries where it is in the input: `lineNumber` (1-based, as `sed -n 'Np'` counts)
 *   and `offset` (0-based byte offset of its first byte, a BOM included), so a dead-letter record
 *   can point at the exact line of the source.
 */
import { isUtf8 } from 'node:buffer';

/** Where a line is in the input. */
export interface LinePosition {
  /** 1-based line number. */
  readonly lineNumber: number;
  /** Byte offset of the line's first byte, from the start of the input. */
  readonly offset: number;
}

export type FramedLine = LinePosition &
  (
    | { readonly kind: 'line'; readonly text: string; readonly bytes: number }
    | { readonly kind: 'invalid_utf8'; readonly raw: Buffer; readonly bytes: number }
    | { readonly kind: 'too_long'; readonly prefix: Buffer; readonly bytes: number }
  );

export interface LineFramer {
  /** Lines completed by this chunk, in order. */
  push(chunk: Buffer): FramedLine[];
  /** The unterminated last line, if any. */
  end(): FramedLine[];
}

export interface LineFramerOptions {
  readonly maxLineBytes: number;
  /** How much of an over-long line is kept for the dead-letter record. */
  readonly prefixBytes?: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function createLineFramer(options: LineFramerOptions): LineFramer {
  const max = options.maxLineBytes;
  const prefixBytes = Math.min(options.prefixBytes ?? 4096, max);
  /** Pieces of the line in progress (copied, so input chunks are not kept alive). */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Set once the line in progress has passed `max`: from then on only its length is counted. */
  let overflowPrefix: Buffer | undefined;
  let overflowBytes = 0;
  let overflowLastByte = 0;
  /** Bytes of input before the current chunk; where the line in progress starts; lines framed. */
  let consumed = 0;
  let lineStart = 0;
  let lineCount = 0;

  const frame = (line: Buffer, out: FramedLine[]): void => {
    out.push(
      frameCutLine(line, { lineNumber: ++lineCount, offset: lineStart }, { maxLineBytes: max, prefixBytes }),
    );
  };

  const finishOverflow = (tail: Buffer, out: FramedLine[]): void => {
    let bytes = overflowBytes + tail.length;
    // The CR of a CRLF is a terminator, not content, even when it came in an earlier chunk.
    const last = tail.length > 0 ? tail[tail.length - 1] : overflowLastByte;
    if (last === CR) bytes--;
    const prefix = overflowPrefix ?? Buffer.alloc(0);
    out.push({ kind: 'too_long', prefix, bytes, lineNumber: ++lineCount, offset: lineStart });
    overflowPrefix = undefined;
    overflowBytes = 0;
  };

  /** Keeps the unterminated remainder, switching to counting-only once it passes `max`. */
  const hold = (rest: Buffer): void => {
    if (rest.length === 0) return;
    if (overflowPrefix) {
      overflowBytes += rest.length;
      overflowLastByte = rest[rest.length - 1]!;
      return;
    }
    // +1 leaves room for a CR that may turn out to be part of a CRLF terminator.
    if (pendingBytes + rest.length > max + 1 + BOM.length) {
      const whole = Buffer.concat([...pending, rest]);
      const skipBom = whole[0] === BOM[0] && whole[1] === BOM[1] && whole[2] === BOM[2] ? 3 : 0;
      overflowPrefix = Buffer.from(whole.subarray(skipBom, skipBom + prefixBytes));
      overflowBytes = whole.length - skipBom;
      overflowLastByte = whole[whole.length - 1]!;
      pending = [];
      pendingBytes = 0;
      return;
    }
    pending.push(Buffer.from(rest));
    pendingBytes += rest.length;
  };

  return {
    push(chunk) {
      const out: FramedLine[] = [];
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        if (overflowPrefix) {
          finishOverflow(piece, out);
        } else if (pendingBytes > 0) {
          const line = Buffer.concat([...pending, piece]);
          pending = [];
          pendingBytes = 0;
          frame(line, out);
        } else {
          frame(piece, out);
        }
        start = nl + 1;
        lineStart = consumed + start;
      }
      hold(chunk.subarray(start));
      consumed += chunk.length;
      return out;
    },
    end() {
      const out: FramedLine[] = [];
      if (overflowPrefix) finishOverflow(Buffer.alloc(0), out);
      else if (pendingBytes > 0) frame(Buffer.concat(pending), out);
      pending = [];
      pendingBytes = 0;
      return out;
    },
  };
}

/**
 * Frames ONE line that arrived already cut (a Forward record's `log`, a CRI or json-file entry),
 * with the same rules and shapes as the stream framer: trailing CR and leading BOM removed, then
 * `too_long` over `maxLineBytes`, `invalid_utf8` when not UTF-8, else `line`.
 */
export function frameCutLine(line: Buffer, position: LinePosition, options: LineFramerOptions): FramedLine {
  const max = options.maxLineBytes;
  const prefixBytes = Math.min(options.prefixBytes ?? 4096, max);
  const { lineNumber, offset } = position;
  let start = 0;
  let end = line.length;
  if (end > 0 && line[end - 1] === CR) end--;
  if (end - start >= 3 && line[0] === BOM[0] && line[1] === BOM[1] && line[2] === BOM[2]) start = 3;
  const bytes = end - start;
  if (bytes > max) {
    return {
      kind: 'too_long',
      prefix: Buffer.from(line.subarray(start, start + prefixBytes)),
      bytes,
      lineNumber,
      offset,
    };
  }
  const body = line.subarray(start, end);
  if (!isUtf8(body)) return { kind: 'invalid_utf8', raw: Buffer.from(body), bytes, lineNumber, offset };
  return { kind: 'line', text: body.toString('utf8'), bytes, lineNumber, offset };
}
