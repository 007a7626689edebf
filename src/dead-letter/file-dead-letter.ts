/**
 * The dead-letter file: NDJSON, one DeadLetterRecord per line, created with mode 0600.
 *
 * Guarantees:
 * - `write` resolves only once the records are in the file (and fsynced under `fsync: always`);
 *   callers advance (read on, commit a cursor) only after that, so a rejected line is never lost.
 * - A failed write (disk full, I/O error) is cut back to the last whole record and retried with
 *   backoff until it succeeds, logging a clear error; the caller waits meanwhile (backpressure),
 *   so a full disk pauses the pipeline instead of losing evidence.
 * - Every wait ends on shutdown: the caller's `stop` and `close()` end the retry pause, and a write
 *   queued behind a failing one leaves the queue once its `stop` aborts (an attempt would meet
 *   the same full disk). Such a write rejects with DeadLetterUnwritten and is logged with its
 *   count; the caller counts it (`dead_letter_failed`), so nothing is lost silently.
 * - Writes go to the file one at a time, in call order.
 * - Rotation by size (rotate-files.ts): `path` → `path.1` → `path.2` …; with `max_files: 0` (the
 *   default) rotated files are never deleted. A configured limit deletes the oldest, with a warning.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { ErrorCode } from '../errors.js';
import { linkedAbort } from '../linked-abort.js';
import type { Logger } from '../observe/logger.js';
import { deadLetterUnwritten, type DeadLetterSink, type DeadLetterUnwritten } from './dead-letter.js';
import { rotateFiles } from './rotate-files.js';

export interface FileDeadLetterOptions {
  readonly path: string;
  readonly maxBytes: number;
  /** Rotated files to keep; 0 keeps all. */
  readonly maxFiles: number;
  readonly fsync: 'always' | 'interval' | 'never';
  readonly fsyncIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** For fault-injection tests: replaces the file write. */
  readonly writeFile?: (handle: fsp.FileHandle, data: Buffer) => Promise<void>;
}

export interface FileDeadLetter extends DeadLetterSink {
  /** Records written since start. */
  readonly written: number;
}

const RETRY_MAX_MS = 30_000;

export async function createFileDeadLetter(options: FileDeadLetterOptions): Promise<FileDeadLetter> {
  const file = path.resolve(options.path);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  let handle = await fsp.open(file, 'a', 0o600);
  let size = (await handle.stat()).size;
  let written = 0;
  let dirty = false;
  let closed = false;
  const shutdown = new AbortController();
  let closing: Promise<void> | undefined;
  let queue: Promise<void> = Promise.resolve();
  /** Writes accepted and not finished (written or given up). */
  let queued = 0;
  /** The last attempt failed and no write has succeeded since. */
  let failing = false;
  const whenFailing = new Set<() => void>();
  const writeFile =
    options.writeFile ??
    (async (h: fsp.FileHandle, data: Buffer) => {
      await h.write(data);
    });

  // fsync: interval: one timer armed by the write that made the file dirty, not a timer that
  // wakes the process every interval while nothing is written (an idle shipper stays asleep).
  let timer: NodeJS.Timeout | undefined;
  const syncSoon = (): void => {
    if (options.fsync !== 'interval' || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty && !closed) {
        dirty = false;
        handle.datasync().catch((error: unknown) => {
          options.logger.error('dead-letter fsync failed', { path: file, error: String(error) });
        });
      }
    }, options.fsyncIntervalMs).unref();
  };

  const rotate = async (): Promise<void> => {
    await handle.close();
    await rotateFiles(file, options.maxFiles, options.logger);
    handle = await fsp.open(file, 'a', 0o600);
    size = 0;
  };

  const writeOnce = async (data: Buffer): Promise<void> => {
    if (size > 0 && size + data.length > options.maxBytes) await rotate();
    try {
      await writeFile(handle, data);
    } catch (error) {
      // Cut a partial write back so the file stays whole NDJSON records.
      await handle.truncate(size).catch(() => undefined);
      throw error;
    }
    size += data.length;
    if (options.fsync === 'always') await handle.datasync();
    else {
      dirty = true;
      syncSoon();
    }
  };

  const giveUp = (count: number, code: string): DeadLetterUnwritten => {
    options.logger.error(
      'dead-letter file: records not written before shutdown (the disk kept refusing them)',
      {
        code: 'WS_ERR_DEAD_LETTER_UNWRITABLE' satisfies ErrorCode,
        path: file,
        records: count,
        cause: code,
      },
    );
    return deadLetterUnwritten(count, code);
  };

  const writeWithRetry = async (
    data: Buffer,
    count: number,
    stop: AbortSignal | undefined,
  ): Promise<void> => {
    // Unlinked afterwards: `stop` outlives many writes.
    const wait = linkedAbort(shutdown.signal, stop);
    try {
      await retryUntilWritten(data, count, wait.signal);
    } finally {
      wait.dispose();
    }
  };

  /** Retries with backoff until written; gives up (DeadLetterUnwritten) once `wait` aborts. */
  const retryUntilWritten = async (data: Buffer, count: number, wait: AbortSignal): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await writeOnce(data);
        written += count;
        if (failing) options.logger.info('dead-letter file writable again', { path: file });
        failing = false;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
        failing = true;
        for (const wake of [...whenFailing]) wake();
        if (wait.aborted) throw giveUp(count, code);
        const waitMs = Math.min(RETRY_MAX_MS, 500 * 2 ** Math.min(attempt, 10));
        options.logger.error('cannot write the dead-letter file; input is paused until it can', {
          code: (code === 'ENOSPC'
            ? 'WS_ERR_DISK_FULL'
            : 'WS_ERR_DEAD_LETTER_UNWRITABLE') satisfies ErrorCode,
          errno: code,
          path: file,
          retry_in_ms: waitMs,
          hint: code === 'ENOSPC' ? 'the disk is full: free space or move dead_letter.path' : undefined,
        });
        try {
          await options.clock.sleep(waitMs, wait);
        } catch {
          throw giveUp(count, code);
        }
      }
    }
  };

  /** Resolves at this write's turn; rejects once shutdown came while the writes ahead are failing. */
  const waitForTurn = (turn: Promise<void>, stop: AbortSignal | undefined, count: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!failing || !(stop?.aborted || shutdown.signal.aborted)) return;
        cleanup();
        reject(giveUp(count, 'the writes queued before it were failing'));
      };
      const cleanup = (): void => {
        whenFailing.delete(check);
        stop?.removeEventListener('abort', check);
        shutdown.signal.removeEventListener('abort', check);
      };
      whenFailing.add(check);
      stop?.addEventListener('abort', check, { once: true });
      shutdown.signal.addEventListener('abort', check, { once: true });
      void turn.then(() => {
        cleanup();
        resolve();
      });
      check();
    });

  return {
    get written() {
      return written;
    },
    write(records, stop) {
      if (records.length === 0) return Promise.resolve();
      if (closed) return Promise.reject(new Error('dead-letter file is closed'));
      let text = '';
      for (const r of records)
        text += JSON.stringify({ time: new Date(options.clock.now()).toISOString(), ...r }) + '\n';
      const data = Buffer.from(text);
      const turn = queue;
      const behind = queued > 0;
      queued++;
      const next = (async () => {
        try {
          await (behind ? waitForTurn(turn, stop, records.length) : turn);
          await writeWithRetry(data, records.length, stop);
        } finally {
          queued--;
        }
      })();
      // The next write waits for this one and every one before it, even if this one gave up early.
      queue = Promise.allSettled([turn, next]).then(() => undefined);
      return next;
    },
    close() {
      closed = true;
      // Every caller waits for the one close.
      closing ??= (async () => {
        shutdown.abort(); // a write still retrying on a failing disk gives up: close never hangs
        if (timer) clearTimeout(timer);
        await queue;
        if (options.fsync !== 'never') await handle.datasync().catch(() => undefined);
        await handle.close();
      })();
      return closing;
    },
  };
}
