/**
 * When integrity is on, makes the signed checkpoints (docs/integrity.md): after every
 * `checkpoint_every` chained events, at the latest `checkpoint_interval` after the first event
 * since the last checkpoint, and once at shutdown. Each checkpoint is journaled by the journal as
 * a record of kind 'checkpoint' (so every sink delivers it) and appended here to the checkpoint
 * file, one JSON per line, fsynced, for an operator to copy elsewhere as a witness.
 *
 * Invariants:
 * - No idle wakeups: the interval timer is armed only by an append after a checkpoint, and
 *   disarmed by the next checkpoint; nothing chained since the last checkpoint makes none.
 * - Checkpoints are made one at a time, in journal order (the journal appends them in its own
 *   append order), and the count-triggered one is awaited by the append that reached the count,
 *   so ingest never runs far ahead of its checkpoints.
 * - A checkpoint file that cannot be written is logged (once per episode) and counted, never
 *   fatal: the checkpoint still went through the journal to every sink.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock.js';
import type { AppendResult, EventLog, JournalIntegrity } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';

export interface CheckpointOptions {
  readonly integrity: JournalIntegrity;
  readonly every: number;
  readonly intervalMs: number;
  readonly file: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The counters to update (so /metrics, created earlier, can read them). */
  readonly counts?: CheckpointCounts;
}

export interface CheckpointCounts {
  made: number;
  fileFailed: number;
}

export interface Checkpoints {
  /** Checkpoints made (journaled or not) and checkpoint-file writes that failed, for /metrics. */
  readonly counts: CheckpointCounts;
  /** Call after each append: makes a checkpoint at the count, arms the interval timer. */
  afterAppend(stop?: AbortSignal): Promise<void>;
  /** At shutdown, after the last append: the final checkpoint (when anything is new); stops the timer. */
  finish(stop?: AbortSignal): Promise<void>;
}

export function createCheckpoints(o: CheckpointOptions): Checkpoints {
  const { integrity, clock, logger } = o;
  const counts = o.counts ?? { made: 0, fileFailed: 0 };
  let timer: AbortController | undefined;
  let running: Promise<void> = Promise.resolve();
  let file: FileHandle | undefined;
  let fileFailing = false;
  let finished = false;

  const writeFile = async (line: string): Promise<void> => {
    try {
      if (!file) {
        await mkdir(dirname(o.file), { recursive: true, mode: 0o700 });
        file = await open(o.file, 'a', 0o600);
      }
      await file.appendFile(line + '\n');
      await file.sync();
      if (fileFailing) logger.info('checkpoint file writable again', { path: o.file });
      fileFailing = false;
    } catch (error) {
      counts.fileFailed++;
      if (!fileFailing) {
        logger.error('cannot write the checkpoint file; checkpoints still go to every sink', {
          path: o.file,
          error: (error as NodeJS.ErrnoException).code ?? String(error),
        });
      }
      fileFailing = true;
      await file?.close().catch(() => undefined);
      file = undefined;
    }
  };

  const make = (stop?: AbortSignal): Promise<void> => {
    timer?.abort();
    timer = undefined;
    const next = running.then(async () => {
      const made = await integrity.checkpoint(clock.now(), stop);
      if (!made) return;
      counts.made++;
      if (!made.journaled) {
        logger.warn(
          'checkpoint not journaled (the journal was full at shutdown); it is in the checkpoint file',
          {
            last_seq: made.checkpoint.last_seq,
          },
        );
      }
      await writeFile(JSON.stringify(made.checkpoint));
    });
    running = next.catch((error: unknown) => {
      logger.error('checkpoint failed', { error: String(error) });
    });
    return running;
  };

  const arm = (): void => {
    const controller = new AbortController();
    timer = controller;
    clock.sleep(o.intervalMs, controller.signal).then(
      () => {
        if (timer === controller) void make();
      },
      () => undefined, // disarmed
    );
  };

  return {
    counts,
    async afterAppend(stop) {
      if (finished) return;
      const pending = integrity.sinceCheckpoint;
      if (pending >= o.every) await make(stop);
      else if (pending > 0 && timer === undefined) arm();
    },
    async finish(stop) {
      finished = true;
      await make(stop);
      timer?.abort();
      timer = undefined;
      await running;
      await file?.close().catch(() => undefined);
      file = undefined;
    },
  };
}

/** The journal as ingest sees it: each append is followed by the checkpoint schedule. */
export function withCheckpoints(log: EventLog, checkpoints: Checkpoints): EventLog {
  // Everything else of the log passes through as it is (integrity, alreadyJournaled, whatever is
  // added later): only append gains the checkpoint step.
  return {
    ...log,
    append: async (events, stop): Promise<AppendResult> => {
      const result = await log.append(events, stop);
      await checkpoints.afterAppend(stop);
      return result;
    },
  };
}
