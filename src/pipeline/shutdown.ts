/**
 * The shutdown steps that need more than a line in pipeline.ts: waiting for the sink workers
 * under the shutdown_timeout rules, writing what they could not deliver, where no later run
 * would deliver it (memory buffer, stdout), to the dead-letter file so nothing leaves silently,
 * and the exit code when even that could not be written.
 */
import type { Clock } from '../clock.js';
import { createWaiter } from '../wait.js';
import type { DeadLetterSink } from '../dead-letter/dead-letter.js';
import { ERRORS, type ErrorCode } from '../errors.js';
import { journaledRecord } from '../dead-letter/records.js';
import { writeCounted } from '../dead-letter/write-counted.js';
import type { SinkCursor } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import type { Stats } from '../observe/stats.js';

/**
 * After a signal: a hard deadline of shutdown_timeout. After end of input: keep going while any
 * sink makes progress, give up once none has for shutdown_timeout (a dead receiver must not hang
 * a `cat file | wirety-ship` forever; with the disk journal nothing is lost by giving up).
 */
export async function waitForWorkers(
  workers: readonly Promise<void>[],
  stop: AbortController,
  signalled: () => boolean,
  stats: Stats,
  timeoutMs: number,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const all = Promise.all(workers).then(() => 'done' as const);
  // Ended (disposed) once the workers are done: its pending wait resolves 'aborted', no AbortError.
  const watchdog = createWaiter(clock);
  // Progress = events reaching a final outcome (delivered or dead-lettered) on any sink.
  const progressMark = () => [...stats.sinks.values()].reduce((n, s) => n + s.delivered + s.rejected, 0);
  const timer = (async () => {
    let lastMark = progressMark();
    let stalledSince = clock.now();
    const signalAt = signalled() ? clock.now() : undefined;
    for (;;) {
      if ((await watchdog.wait(undefined, Math.min(1000, timeoutMs))) === 'aborted') return 'done' as const;
      const now = clock.now();
      const mark = progressMark();
      if (mark !== lastMark) {
        lastMark = mark;
        stalledSince = now;
      }
      const deadlineFromSignal = signalled() ? (signalAt ?? now) + timeoutMs : Infinity;
      if (now >= deadlineFromSignal || now - stalledSince >= timeoutMs) return 'timeout' as const;
    }
  })();
  let first: 'done' | 'timeout';
  try {
    first = await Promise.race([all, timer]);
  } finally {
    watchdog.dispose();
  }
  if (first === 'timeout') {
    logger.warn('shutdown_timeout reached: abandoning in-flight deliveries');
    stop.abort(new Error('shutdown_timeout'));
    await all;
  }
}

/**
 * 74 (logged) when records meant for the dead-letter file were lost: worse news than events left
 * in the journal (75), which the next start delivers. Undefined when none were.
 */
export function deadLetterLossExit(stats: Stats, logger: Logger): number | undefined {
  if (stats.deadLetterFailed === 0) return undefined;
  logger.error('records could not be written to the dead-letter file before shutdown and are lost', {
    code: 'WS_ERR_DEAD_LETTER_LOST' satisfies ErrorCode,
    dead_letter_failed: stats.deadLetterFailed,
    exit_code: ERRORS.WS_ERR_DEAD_LETTER_LOST.exit,
  });
  return ERRORS.WS_ERR_DEAD_LETTER_LOST.exit;
}

export interface Leftovers {
  /** Per sink: events not delivered by now (for the summary and the exit code). */
  readonly undelivered: ReadonlyMap<string, number>;
  readonly total: number;
}

/**
 * What no sink delivered by now. A sink whose events would not survive into the next run (every
 * sink with buffer: memory; the stdout sink always, since stdout is per run) gets them written
 * to the dead-letter file (undelivered_at_shutdown) and its cursor moved past them; the others keep
 * theirs in the journal for the next start.
 */
export async function settleLeftovers(options: {
  readonly cursors: ReadonlyMap<string, SinkCursor>;
  /** Why no later run would deliver this sink's leftovers (they are then dead-lettered), or undefined. */
  readonly perRun: (sinkName: string) => string | undefined;
  readonly deadLetter: DeadLetterSink;
  readonly stats: Stats;
  readonly source: string;
  readonly logger: Logger;
  /**
   * Aborted at the deadline (usually already): each dead-letter write then gets one attempt, and
   * what the disk refuses is counted as dead_letter_failed instead of waited on.
   */
  readonly stop: AbortSignal;
}): Promise<Leftovers> {
  const undelivered = new Map([...options.cursors].map(([name, c]) => [name, c.lag().events]));
  const kept: Record<string, number> = {};
  const deadLettered: Record<string, number> = {};
  for (const [name, count] of undelivered) {
    if (count === 0) continue;
    const why = options.perRun(name);
    if (why === undefined) {
      kept[name] = count;
      continue;
    }
    const cursor = options.cursors.get(name)!;
    await deadLetterLeftovers(name, cursor, why, options);
    await cursor.skipToHead();
    deadLettered[name] = count;
  }
  if (Object.keys(kept).length > 0) {
    options.logger.error(
      'events were not delivered before shutdown; they stay in the journal and are delivered on the next start',
      kept,
    );
  }
  if (Object.keys(deadLettered).length > 0) {
    options.logger.error(
      'events were not delivered before shutdown; they are in the dead-letter file (undelivered_at_shutdown)',
      deadLettered,
    );
  }
  return { undelivered, total: [...undelivered.values()].reduce((a, b) => a + b, 0) };
}

async function deadLetterLeftovers(
  name: string,
  cursor: SinkCursor,
  why: string,
  options: {
    readonly deadLetter: DeadLetterSink;
    readonly stats: Stats;
    readonly source: string;
    readonly stop: AbortSignal;
  },
): Promise<void> {
  cursor.rewind();
  for (;;) {
    const records = await cursor.take(1000, 4 * 1024 * 1024);
    if (records.length === 0) break;
    const detail = `not delivered to sink "${name}" before shutdown (${why})`;
    const dead = records.map((r) =>
      journaledRecord(r, 'undelivered_at_shutdown', detail, options.source, name),
    );
    await writeCounted(options.deadLetter, dead, options.stats, options.stop);
  }
}
