/**
 * The shutdown steps that need more than a line in pipeline.ts: waiting for the sink workers
 * under the shutdown_timeout rules, (memory buffer only) writing what they could not deliver to
 * the dead-letter file so nothing leaves silently, and the exit code.
 */
import type { Clock } from '../clock.js';
import {
  isDeadLetterUnwritten,
  type DeadLetterRecord,
  type DeadLetterSink,
} from '../dead-letter/dead-letter.js';
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
  const watchdog = new AbortController();
  // Progress = events reaching a final outcome (delivered or dead-lettered) on any sink.
  const progressMark = () => [...stats.sinks.values()].reduce((n, s) => n + s.delivered + s.rejected, 0);
  const timer = (async () => {
    let lastMark = progressMark();
    let stalledSince = clock.now();
    const signalAt = signalled() ? clock.now() : undefined;
    for (;;) {
      await clock.sleep(Math.min(1000, timeoutMs), watchdog.signal);
      const now = clock.now();
      const mark = progressMark();
      if (mark !== lastMark) {
        lastMark = mark;
        stalledSince = now;
      }
      const deadlineFromSignal = signalled() ? (signalAt ?? now) + timeoutMs : Infinity;
      if (now >= deadlineFromSignal || now - stalledSince >= timeoutMs) return 'timeout' as const;
    }
  })().catch(() => 'done' as const);
  const first = await Promise.race([all, timer]);
  watchdog.abort();
  if (first === 'timeout') {
    logger.warn('shutdown_timeout reached: abandoning in-flight deliveries');
    stop.abort(new Error('shutdown_timeout'));
    await all;
  }
}

/** Exit code: records meant for the dead-letter file could not be written before the process stopped. */
export const EXIT_DEAD_LETTER_FAILED = 74;

/**
 * 74 (logged) when records meant for the dead-letter file were lost: worse news than events left
 * in the journal (75), which the next start delivers. Undefined when none were.
 */
export function deadLetterLossExit(stats: Stats, logger: Logger): number | undefined {
  if (stats.deadLetterFailed === 0) return undefined;
  logger.error('records could not be written to the dead-letter file before shutdown and are lost', {
    dead_letter_failed: stats.deadLetterFailed,
    exit_code: EXIT_DEAD_LETTER_FAILED,
  });
  return EXIT_DEAD_LETTER_FAILED;
}

/**
 * Memory buffer: what the sinks did not deliver goes to the dead-letter file. Runs after the
 * deadline, so `stop` has usually aborted: each write gets one attempt, and what the disk refuses
 * is counted as dead_letter_failed instead of waiting on.
 */
export async function deadLetterLeftovers(
  cursors: ReadonlyMap<string, SinkCursor>,
  deadLetter: DeadLetterSink,
  stats: Stats,
  source: string,
  stop: AbortSignal,
): Promise<void> {
  for (const [name, cursor] of cursors) {
    cursor.rewind();
    for (;;) {
      const records = await cursor.take(1000, 4 * 1024 * 1024);
      if (records.length === 0) break;
      const dead: DeadLetterRecord[] = records.map((r) => ({
        reason: 'undelivered_at_shutdown',
        detail: `not delivered to sink "${name}" before shutdown (buffer: memory keeps nothing across restarts)`,
        source,
        sink: name,
        event_id: r.id,
        seq: r.seq,
        line: r.line,
        line_bytes: r.bytes,
        truncated: false,
      }));
      try {
        await deadLetter.write(dead, stop);
        stats.deadLettered += dead.length;
      } catch (error) {
        if (!isDeadLetterUnwritten(error)) throw error;
        stats.deadLetterFailed += dead.length;
      }
    }
  }
}
