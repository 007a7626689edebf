/**
 * Joins the pieces of a logical line (CRI `P…P F`, json-file entries without a trailing `\n`) per
 * rotation family and stream, so a run that starts at the end of a rotated file ends correctly in
 * the next one. Each run is fed to its own line framer, which bounds memory by `maxLineBytes`
 * (an over-long run becomes a `too_long` line with a prefix and its real length) and applies the
 * same BOM / CR / UTF-8 rules as every other input.
 *
 * The joined line takes the file identity, byte offset and line number of its FIRST piece, so its
 * id is the same when the run is read again after a restart.
 */
import { createLineFramer, type FramedLine, type LineFramer } from '../line-framer.js';

export interface PieceOrigin {
  /** Rotation family of the file (see rotation-family.ts). */
  readonly family: string;
  readonly identity: string;
  readonly path: string;
  readonly offset: number;
  readonly lineNumber: number;
}

export interface JoinedLine {
  readonly framed: FramedLine;
  readonly origin: PieceOrigin;
}

export interface PartialJoiner {
  /** Adds a piece; returns the logical line when `final` ends it. */
  push(key: string, content: Buffer, final: boolean, origin: PieceOrigin): JoinedLine | undefined;
  /** Adds a piece known only by a prefix and its real length (its physical line was over-long). */
  pushOversized(
    key: string,
    prefix: Buffer,
    bytes: number,
    final: boolean,
    origin: PieceOrigin,
  ): JoinedLine | undefined;
  /** Where each unfinished run starts: a file's position must not pass these. */
  pendingOrigins(): IterableIterator<PieceOrigin>;
  /** Ends the unfinished runs of a family whose last piece will never come (its files are gone). */
  abandon(family: string): JoinedLine[];
}

const NEWLINE = Buffer.from('\n');
const ZEROS = Buffer.alloc(64 * 1024);

export function createPartialJoiner(maxLineBytes: number): PartialJoiner {
  const runs = new Map<string, { framer: LineFramer; origin: PieceOrigin }>();

  const runFor = (key: string, origin: PieceOrigin) => {
    let run = runs.get(key);
    if (!run) {
      run = { framer: createLineFramer({ maxLineBytes }), origin };
      runs.set(key, run);
    }
    return run;
  };

  const finish = (key: string, framer: LineFramer, origin: PieceOrigin): JoinedLine | undefined => {
    const [framed] = framer.push(NEWLINE);
    runs.delete(key);
    if (!framed) return undefined;
    return { framed: { ...framed, offset: origin.offset, lineNumber: origin.lineNumber }, origin };
  };

  return {
    push(key, content, final, origin) {
      const run = runFor(key, origin);
      if (content.length > 0) run.framer.push(content);
      return final ? finish(key, run.framer, run.origin) : undefined;
    },
    pushOversized(key, prefix, bytes, final, origin) {
      const run = runFor(key, origin);
      run.framer.push(prefix);
      // The run is over the limit from here on, so the framer only counts: feed it the length.
      for (let rest = bytes - prefix.length; rest > 0; rest -= ZEROS.length) {
        run.framer.push(ZEROS.subarray(0, Math.min(rest, ZEROS.length)));
      }
      return final ? finish(key, run.framer, run.origin) : undefined;
    },
    abandon(family) {
      const lines: JoinedLine[] = [];
      for (const [key, run] of runs) {
        if (run.origin.family !== family) continue;
        runs.delete(key);
        const [framed] = run.framer.end();
        if (framed)
          lines.push({
            framed: { ...framed, offset: run.origin.offset, lineNumber: run.origin.lineNumber },
            origin: run.origin,
          });
      }
      return lines;
    },
    pendingOrigins() {
      return [...runs.values()].map((run) => run.origin)[Symbol.iterator]();
    },
  };
}
