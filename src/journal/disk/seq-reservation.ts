/**
 * seq.json: {"reservedThrough": R, "gaps": [[after, upTo], …]}, fsynced whatever the fsync policy.
 *
 * Why: with fsync interval/never, a machine crash can lose records that sinks had already
 * delivered, and can lose the cursor files that recorded it. Continuing the sequence from the last
 * surviving record would then hand out seqs, hence derived ids, that a receiver already holds, and
 * Elasticsearch would silently discard the new events as duplicates (409). So before any record
 * with seq > R is written, R is raised (by a block) and made durable; after an unclean stop the
 * sequence resumes above R. A clean close sets R to the last seq, so a clean restart skips nothing.
 *
 * The seqs skipped are remembered as gaps (after, upTo] so lag() and stats() count records, not
 * numbers; a gap is dropped once every cursor has passed it.
 */
import { join } from 'node:path';
import type { Logger } from '../../observe/logger.js';
import type { JournalFs } from './fs.js';
import { errorCode, writeFileAtomic } from './fs.js';

export const seqFileName = 'seq.json';
/** Seqs reserved per durable write: one small fsynced write per million records. */
export const reserveBlock = 1_000_000;

export type Gap = readonly [after: number, upTo: number];

export interface SeqReservation {
  readonly reservedThrough: number;
  readonly gaps: readonly Gap[];
  /** Makes sure seqs up to `seq` are covered by a durable reservation. */
  ensure(seq: number): Promise<void>;
  /** Records that seqs (after, upTo] will never be used (persisted with the next write). */
  addGap(after: number, upTo: number): void;
  /** Forgets gaps every cursor has passed. */
  pruneGaps(committedByAll: number): void;
  /** Records in (from, to]: to - from minus the gaps inside. */
  countRecords(from: number, to: number): number;
  /** Clean close: R = lastSeq, so the next open continues right after it. */
  closeAt(lastSeq: number): Promise<void>;
}

export async function loadSeqReservation(
  fsOps: JournalFs,
  dir: string,
  names: readonly string[],
  logger: Logger,
): Promise<SeqReservation> {
  const path = join(dir, seqFileName);
  let reservedThrough = 0;
  let gaps: Gap[] = [];
  if (names.includes(seqFileName)) {
    try {
      const parsed = JSON.parse((await fsOps.readFile(path)).toString('utf8')) as {
        reservedThrough?: unknown;
        gaps?: unknown;
      };
      if (typeof parsed.reservedThrough === 'number' && Number.isSafeInteger(parsed.reservedThrough)) {
        reservedThrough = parsed.reservedThrough;
      }
      if (Array.isArray(parsed.gaps)) {
        gaps = parsed.gaps.filter(
          (g): g is Gap =>
            Array.isArray(g) && typeof g[0] === 'number' && typeof g[1] === 'number' && g[1] > g[0],
        );
      }
    } catch (err) {
      // Losing R only matters after an unclean stop, and then the cursors and segments still bound it.
      logger.error('journal: seq.json is unreadable; continuing from the journal contents', {
        error: errorCode(err),
      });
    }
  }

  const write = async (r: number): Promise<void> => {
    const body = JSON.stringify({ reservedThrough: r, gaps }) + '\n';
    await writeFileAtomic(fsOps, dir, path, Buffer.from(body), true);
    reservedThrough = r;
  };

  return {
    get reservedThrough() {
      return reservedThrough;
    },
    get gaps() {
      return gaps;
    },
    async ensure(seq) {
      if (seq <= reservedThrough) return;
      await write(seq + reserveBlock);
    },
    addGap(after, upTo) {
      if (upTo > after) gaps.push([after, upTo]);
    },
    pruneGaps(committedByAll) {
      if (gaps.some((g) => g[1] <= committedByAll)) gaps = gaps.filter((g) => g[1] > committedByAll);
    },
    countRecords(from, to) {
      let n = to - from;
      for (const [after, upTo] of gaps) n -= Math.max(0, Math.min(upTo, to) - Math.max(after, from));
      return Math.max(0, n);
    },
    closeAt: (lastSeq) => write(lastSeq),
  };
}
