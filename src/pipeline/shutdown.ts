/**
 * The two shutdown steps that need more than a line in pipeline.ts: waiting for the sink workers
 * under the shutdown_timeout rules, and (memory buffer only) writing what they could not deliver
 * to the dead-letter file so nothing leaves silently.
 */
import type { Clock } from '../clock.js';
import type { DeadLetterRecord, DeadLetterSink } from '../dead-letter/dead-letter.js';
import type { SinkCursor } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import { countDeadLettered, type Stats } from '../observe/stats.js';

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

export async function deadLetterLeftovers(
  cursors: ReadonlyMap<string, SinkCursor>,
  deadLetter: DeadLetterSink,
  stats: Stats,
  source: string,
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
      await deadLetter.write(dead);
      countDeadLettered(stats, dead);
    }
  }
}
