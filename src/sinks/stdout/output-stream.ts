/**
 * stdout as wirety-ship writes to it. The stdout sink and --passthrough share this one wrapper, so
 * a closed or stuck stdout means the same thing for both.
 *
 * Invariants:
 * - Nothing here throws, and no 'error' of the stream goes unhandled: a failed stdout (EPIPE when
 *   the reader closed the pipe, EIO on a vanished terminal, ENOSPC on a file) becomes `failure`,
 *   is reported once to every listener, and every write after it answers 'closed' at once. A
 *   Writable that failed is destroyed, so no later write could succeed anyway.
 * - Every wait ends: a write resolves when the stream took the bytes ('written': its callback ran,
 *   so they reached the OS), when the stream fails ('closed'), or when the caller's signal aborts
 *   ('aborted'). A reader that never reads cannot hold a shutdown past its deadline.
 * - The 'error' listener stays for the stream's life: stdout belongs to the process, and a write
 *   abandoned at shutdown may still fail after its caller has gone.
 */
import type { Writable } from 'node:stream';

export type WriteResult = 'written' | 'closed' | 'aborted';

export interface OutputFailure {
  /** errno-style code, e.g. EPIPE. */
  readonly code: string;
  readonly message: string;
  /** The reader closed its end (EPIPE, ECONNRESET): the reader's choice, not an I/O fault. */
  readonly byReader: boolean;
}

export interface OutputStream {
  /** Writes `bytes` and waits until the stream took them, failed, or `signal` aborted. */
  write(bytes: Uint8Array, signal: AbortSignal): Promise<WriteResult>;
  /** Set once the stream failed; never cleared. */
  readonly failure: OutputFailure | undefined;
  /** Called once, synchronously, when the stream fails (before waiting writes resolve). */
  onFailure(listener: (failure: OutputFailure) => void): void;
}

const READER_CLOSED = new Set(['EPIPE', 'ECONNRESET']);

export function createOutputStream(stream: Writable): OutputStream {
  let failure: OutputFailure | undefined;
  const listeners: ((failure: OutputFailure) => void)[] = [];
  /** Writes still waiting for their callback: woken when the stream fails. */
  const waiting = new Set<() => void>();

  const fail = (error: NodeJS.ErrnoException): void => {
    if (failure) return;
    const code = error.code ?? 'EIO';
    failure = { code, message: error.message, byReader: READER_CLOSED.has(code) };
    for (const listener of listeners) listener(failure);
    for (const wake of [...waiting]) wake();
  };
  stream.on('error', fail);

  return {
    get failure() {
      return failure;
    },
    onFailure(listener) {
      listeners.push(listener);
    },
    write(bytes, signal) {
      if (!failure && stream.destroyed) {
        fail(Object.assign(new Error('stdout is closed'), { code: 'ERR_STREAM_DESTROYED' }));
      }
      if (failure) return Promise.resolve('closed');
      if (signal.aborted) return Promise.resolve('aborted');
      return new Promise<WriteResult>((resolve) => {
        const settle = (result: WriteResult) => {
          signal.removeEventListener('abort', onAbort);
          waiting.delete(onFailed);
          resolve(result);
        };
        const onAbort = () => settle('aborted');
        const onFailed = () => settle('closed');
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.add(onFailed);
        stream.write(bytes, (error) => {
          if (error) fail(error);
          settle(error ? 'closed' : 'written');
        });
      });
    },
  };
}
