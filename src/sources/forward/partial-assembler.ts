/**
 * Joins Docker's partial pieces back into the line the container wrote.
 *
 * Docker's log copier cuts lines over 16 KiB into pieces; every piece (the last included) carries
 * `partial_id`, `partial_ordinal` and `partial_last` (moby daemon/logger/copier.go). Pieces are
 * joined per `partial_id`, in ordinal order whatever order they arrive in, so pieces of two
 * containers can interleave. A line is complete when the piece marked last has come and every
 * ordinal below it too.
 *
 * Bounds: once a line passes `maxLineBytes` only its first `prefixBytes` (by ordinal) are kept and
 * the rest is counted, so it ends as `too_long` with its real length; a line whose pieces stop
 * coming is handed back by `expire` after `timeoutMs` with the pieces it has; at most `maxOpen`
 * lines are open at once (the oldest is expired early to make room).
 *
 * Pieces wait here in memory only: the requests that carried them are acknowledged when their own
 * batch is settled, since Docker sends one piece at a time and waits for each ack (deferring would
 * deadlock it). A crash between those acks and the joined line's journal append loses that one line.
 */
import type { LineMetadata } from '../input.js';

export interface PartialPiece {
  readonly id: string;
  readonly ordinal: number;
  readonly last: boolean;
  readonly bytes: Buffer;
  readonly metadata: LineMetadata;
}

export type JoinedBody =
  | { readonly kind: 'whole'; readonly line: Buffer }
  | { readonly kind: 'too_long'; readonly prefix: Buffer; readonly bytes: number };

export interface JoinedPartial {
  readonly body: JoinedBody;
  readonly metadata: LineMetadata;
  /** Where the latest piece came from. */
  readonly origin: PartialOrigin;
}

/** The connection (as a batch source) and position of a piece. */
export interface PartialOrigin {
  readonly source: string;
  readonly lineNumber: number;
  readonly offset: number;
}

export interface ExpiredPartial extends JoinedPartial {
  readonly detail: string;
}

export interface PartialAssembler {
  /** Adds a piece; returns the joined line when this piece completes it. */
  add(piece: PartialPiece, origin: PartialOrigin, now: number): JoinedPartial | undefined;
  /** Removes and returns the lines that waited `timeoutMs` or more, and any evicted early. */
  expire(now: number): ExpiredPartial[];
  readonly open: number;
}

export interface PartialAssemblerOptions {
  readonly maxLineBytes: number;
  readonly prefixBytes: number;
  readonly timeoutMs: number;
  readonly maxOpen?: number;
}

interface OpenLine {
  readonly id: string;
  readonly firstSeen: number;
  readonly pieces: Map<number, Buffer>;
  readonly received: Set<number>;
  totalBytes: number;
  overflow: boolean;
  lastOrdinal: number | undefined;
  metadata: LineMetadata;
  origin: PartialOrigin;
}

export function createPartialAssembler(options: PartialAssemblerOptions): PartialAssembler {
  const open = new Map<string, OpenLine>();
  const evicted: ExpiredPartial[] = [];
  const maxOpen = options.maxOpen ?? 1024;

  const ordered = (line: OpenLine): Buffer[] =>
    [...line.pieces.entries()].sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes);

  /** Keeps only the lowest-ordinal pieces that cover the dead-letter prefix. */
  const prune = (line: OpenLine): void => {
    let kept = 0;
    for (const ordinal of [...line.pieces.keys()].sort((a, b) => a - b)) {
      if (kept >= options.prefixBytes) line.pieces.delete(ordinal);
      else kept += line.pieces.get(ordinal)!.length;
    }
  };

  const bodyOf = (line: OpenLine): JoinedBody => {
    const joined = Buffer.concat(ordered(line));
    if (!line.overflow) return { kind: 'whole', line: joined };
    return {
      kind: 'too_long',
      prefix: Buffer.from(joined.subarray(0, options.prefixBytes)),
      bytes: line.totalBytes,
    };
  };

  const expired = (line: OpenLine, why: string): ExpiredPartial => {
    const ordinals = [...line.received].sort((a, b) => a - b);
    const last =
      line.lastOrdinal === undefined
        ? 'the last piece never came'
        : `pieces below the last (${line.lastOrdinal}) are missing`;
    const detail = `partial_id ${line.id.slice(0, 12)}: ${ordinals.length} piece(s) received (ordinals ${ordinals.join(',')}), ${line.totalBytes} bytes; ${last} ${why}`;
    return { body: bodyOf(line), metadata: line.metadata, origin: line.origin, detail };
  };

  return {
    get open() {
      return open.size;
    },
    add(piece, origin, now) {
      let line = open.get(piece.id);
      if (!line) {
        if (open.size >= maxOpen) {
          const [oldestId, oldest] = open.entries().next().value as [string, OpenLine];
          open.delete(oldestId);
          evicted.push(expired(oldest, `(evicted: more than ${maxOpen} partial lines open)`));
        }
        line = {
          id: piece.id,
          firstSeen: now,
          pieces: new Map(),
          received: new Set(),
          totalBytes: 0,
          overflow: false,
          lastOrdinal: undefined,
          metadata: piece.metadata,
          origin,
        };
        open.set(piece.id, line);
      }
      if (line.received.has(piece.ordinal)) return undefined; // a re-sent piece
      line.received.add(piece.ordinal);
      line.pieces.set(piece.ordinal, piece.bytes);
      line.totalBytes += piece.bytes.length;
      line.origin = origin;
      if (piece.last) line.lastOrdinal = piece.ordinal;
      if (line.totalBytes > options.maxLineBytes) line.overflow = true;
      if (line.overflow) prune(line);
      if (line.lastOrdinal === undefined || line.received.size < line.lastOrdinal) return undefined;
      for (let ordinal = 1; ordinal <= line.lastOrdinal; ordinal++)
        if (!line.received.has(ordinal)) return undefined;
      open.delete(piece.id);
      return { body: bodyOf(line), metadata: line.metadata, origin: line.origin };
    },
    expire(now) {
      const out = evicted.splice(0);
      for (const [id, line] of open) {
        if (now - line.firstSeen < options.timeoutMs) continue;
        open.delete(id);
        out.push(expired(line, `within ${options.timeoutMs} ms`));
      }
      return out;
    },
  };
}
