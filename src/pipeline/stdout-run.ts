/**
 * stdout belongs to one run. What it prints is for the reader of this run's pipe: a later run never
 * prints an earlier run's events, and a reader that closes the pipe ends the run, as for cat.
 * (README "Shutdown and exit codes".)
 *
 * - At start, the stdout sink skips what an earlier run journaled but did not print (only a
 *   `kill -9`, a crash or an older version leaves that behind); the skip is logged.
 * - A closed stdout (`| head -2`, `| less` then q) is the reader's choice: input is no longer read,
 *   the stdout sink stops, and what it had not written is counted as `abandoned` (not
 *   dead-lettered). Other sinks keep delivering what was read, under the end-of-input rules.
 * - Exit code: 141 (128 + SIGPIPE, what a shell reports for cat) when the reader closed stdout,
 *   74 when stdout failed otherwise (EIO, ENOSPC); 75 wins when events are left undelivered.
 *
 * Order on a closed stdout: the stdout worker stops and settles before its cursor skips (a commit
 * after the skip would go backwards), and the skip comes before input stops, so an append waiting
 * for space that only the stdout sink held completes instead of being dead-lettered.
 */
import { EXIT } from '../errors.js';
import type { SinkCursor } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import { sinkStats, type Stats } from '../observe/stats.js';
import type { OutputStream } from '../sinks/stdout/output-stream.js';

export interface StdoutSinkCursor {
  readonly name: string;
  readonly cursor: SinkCursor;
}

/** Moves each stdout sink past what earlier runs journaled; call before its worker starts. */
export async function startStdoutFresh(sinks: readonly StdoutSinkCursor[], logger: Logger): Promise<void> {
  for (const { name, cursor } of sinks) {
    const skipped = await cursor.skipToHead();
    if (skipped > 0) {
      logger.warn(
        'stdout is per run: events an earlier run journaled but did not print are not printed now',
        {
          sink: name,
          events: skipped,
        },
      );
    }
  }
}

export interface StdoutWatch {
  /** Aborts when stdout fails: the stdout sink's worker runs under it. */
  readonly signal: AbortSignal;
  /** After input ended and the workers stopped: counts what the stdout sink will never write. */
  finish(): Promise<void>;
  /** 141 or 74 once stdout failed, else undefined. */
  exitCode(): number | undefined;
}

export interface StdoutWatchOptions {
  readonly out: OutputStream;
  readonly sinks: readonly StdoutSinkCursor[];
  /** The stdout sinks' running workers (asked for only once stdout fails, so after they started). */
  readonly workers: () => readonly Promise<void>[];
  readonly stopReading: AbortController;
  readonly stats: Stats;
  readonly logger: Logger;
}

export function watchStdout(options: StdoutWatchOptions): StdoutWatch {
  const { out, sinks, stats, logger } = options;
  const gone = new AbortController();
  let abandoning: Promise<void> = Promise.resolve();

  const abandon = async (): Promise<void> => {
    for (const { name, cursor } of sinks) sinkStats(stats, name).abandoned += await cursor.skipToHead();
  };

  out.onFailure((failure) => {
    const what =
      sinks.length > 0
        ? 'reading no more input; events not yet written to stdout are abandoned'
        : 'reading no more input';
    if (failure.byReader) logger.warn(`stdout was closed by its reader: ${what}`, { code: failure.code });
    else logger.error(`stdout failed: ${what}`, { code: failure.code, error: failure.message });
    const reason = new Error(`stdout is closed (${failure.code})`);
    gone.abort(reason);
    abandoning = Promise.allSettled(options.workers())
      .then(abandon)
      .finally(() => options.stopReading.abort(reason));
    abandoning.catch(() => undefined); // awaited by finish(); not an unhandled rejection meanwhile
  });

  return {
    signal: gone.signal,
    async finish() {
      if (!out.failure) return;
      await abandoning;
      await abandon(); // what was journaled after the first skip, before input stopped
    },
    exitCode() {
      const failure = out.failure;
      if (!failure) return undefined;
      return failure.byReader ? EXIT.STDOUT_CLOSED : EXIT.IO;
    },
  };
}
