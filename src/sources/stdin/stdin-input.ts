/**
 * Standard input as an `Input` (../input.ts): each chunk Node reads from the stream becomes one
 * batch of the lines it completes (line-framer.ts), and the unterminated last line a final batch
 * at end of stream.
 *
 * Invariants:
 * - The next chunk is asked for only after the previous batch is settled: backpressure reaches
 *   the writer, and Node has read at most one more chunk from the pipe meanwhile (README
 *   "Delivery guarantees"; test/sources/stdin-readahead.test.ts).
 * - Passthrough copies each chunk unchanged, in order, in its batch's `settled`: after its lines
 *   are journaled or dead-lettered, as before inputs existed.
 * - Nothing comes back after a restart (`redelivers: false`): ingest dead-letters what a shutdown
 *   left unstored.
 * - The stream ends the input (EOF); the signal ends it too, without waiting for a read that may
 *   never come (a terminal, a silent pipe).
 */
import type { Input, InputBatch } from '../input.js';
import { createLineFramer, type FramedLine } from '../line-framer.js';

export interface StdinInputOptions {
  readonly name?: string;
  readonly stream: AsyncIterable<Buffer | string>;
  readonly maxLineBytes: number;
  /** Dead-letter `source`; default "stdin". */
  readonly source?: string;
  /** Called with each chunk's length as it is read (the `input_bytes` counter). */
  readonly onBytes?: (bytes: number) => void;
  /** Copies a chunk to stdout; resolves once stdout took it, failed, or reading was stopped. */
  readonly passthrough?: (chunk: Buffer) => Promise<unknown>;
}

export function createStdinInput(options: StdinInputOptions): Input {
  const source = options.source ?? 'stdin';
  const batchOf = (lines: FramedLine[], chunk: Buffer | undefined): InputBatch => ({
    source,
    lines: lines.map((framed) => ({ framed })),
    async settled() {
      if (chunk && options.passthrough) await options.passthrough(chunk);
    },
  });
  return {
    name: options.name ?? 'stdin',
    redelivers: false,
    async *batches(signal) {
      const framer = createLineFramer({ maxLineBytes: options.maxLineBytes });
      const iterator = options.stream[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await nextOrAbort(iterator, signal);
          if (next === 'aborted') return;
          if (next.done) break;
          const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
          options.onBytes?.(chunk.length);
          yield batchOf(framer.push(chunk), chunk);
        }
        const last = framer.end();
        if (last.length > 0) yield batchOf(last, undefined);
      } finally {
        // Stops the underlying stream (e.g. stdin) when we leave early.
        void iterator.return?.();
      }
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The next chunk, or 'aborted' once the signal fires. The abort promise is made per call and its
 * listener removed after: racing every chunk against one long-lived pending promise would chain a
 * reaction (holding that chunk) onto it per iteration, a leak of the whole input.
 */
async function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<IteratorResult<T> | 'aborted'> {
  if (signal.aborted) return 'aborted';
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
