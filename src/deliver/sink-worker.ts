/**
 * The one delivery loop every sink uses: cursor → batch → encode → send → classify → act.
 *
 * Invariants:
 * - The cursor is committed only past records with a final outcome (delivered, or dead-lettered
 *   with the reason), contiguously and in order, however batches complete (commit-tracker.ts).
 * - Nothing is dropped because of retries: retryable outcomes are retried forever with backoff;
 *   only the receiver's permanent refusals end in the dead-letter file, and those writes are
 *   awaited before the records count as final.
 * - Bounded memory: at most max_in_flight batches out plus the one being gathered.
 * - Abort stops taking, aborts requests and waits, commits nothing that is not final, and run()
 *   resolves; what was not committed stays in the journal for the next start.
 */
import type { Clock } from '../clock.js';
import type { DeadLetterSink } from '../dead-letter/dead-letter.js';
import { linkedAbort } from '../linked-abort.js';
import { createWaiter } from '../wait.js';
import { createSerialQueue } from '../serial-queue.js';
import type { SinkCursor } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import { sinkStats, type Stats } from '../observe/stats.js';
import type { SinkRuntime } from '../sinks/sink-runtime.js';
import { createBatcher } from '../batch/batcher.js';
import { nextBatch } from '../batch/batch-loop.js';
import { createCommitTracker } from './commit-tracker.js';
import { deliverBatch, type BatchDeliveryContext } from './deliver-batch.js';
import { createEncodeGuard } from './encode-guard.js';
import { createFailureLog } from './failure-log.js';
import { createRetryPolicy } from './retry-policy.js';
import { withExactDecisions } from '../transport/scrubbed-reply.js';

/**
 * The parts of a sink's runtime (sinks/sink-runtime.ts) its delivery loop drives: codec, I/O
 * adapters and delivery settings. Starting and closing the sink stay with its owner.
 */
export type SinkWorkerRuntime = Pick<
  SinkRuntime,
  'name' | 'codec' | 'transport' | 'credentials' | 'acknowledger' | 'batch' | 'retry' | 'maxInFlight'
>;

export interface SinkWorkerOptions {
  readonly runtime: SinkWorkerRuntime;
  readonly cursor: SinkCursor;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly deadLetter: DeadLetterSink;
  readonly stats: Stats;
  readonly logger: Logger;
  /** Dead-letter source label, default "stdin". */
  readonly source?: string;
}

export interface SinkWorker {
  /**
   * Delivers until the cursor is drained and every taken record is committed. On abort it stops
   * and resolves (never rejects for that). Rejects only for bugs: a throwing classify, a failed
   * commit (a throwing encode dead-letters the record it cannot encode: encode-guard.ts).
   */
  run(signal: AbortSignal): Promise<void>;
}

export function createSinkWorker(options: SinkWorkerOptions): SinkWorker {
  const { runtime, cursor, clock } = options;
  const { name } = runtime;
  const maxInFlight = Math.max(1, Math.floor(runtime.maxInFlight));
  const sink = sinkStats(options.stats, name);
  const ctx: BatchDeliveryContext = {
    name,
    source: options.source ?? 'stdin',
    // Scrubbed replies are read for words only; what to do is decided on the exact reply.
    codec: withExactDecisions(runtime.codec),
    encoder: createEncodeGuard({
      name,
      codec: runtime.codec,
      sink,
      logger: options.logger,
    }),
    transport: runtime.transport,
    credentials: runtime.credentials,
    acknowledger: runtime.acknowledger,
    policy: createRetryPolicy(runtime.retry, options.random ?? Math.random),
    clock,
    deadLetter: options.deadLetter,
    stats: options.stats,
    sink,
    log: createFailureLog(name, options.logger, clock),
  };

  let running = false;

  return {
    async run(outer) {
      if (running) throw new Error(`sink ${name}: run() is already running`);
      running = true;
      // Records an earlier, aborted run took but never finished are taken again: without this
      // a second run would commit past them.
      cursor.rewind();
      // An inner controller so a bug in one batch can stop the others too.
      const stop = linkedAbort(outer);
      const signal = stop.signal;
      // One waiter (one listener on the signal) for every wait of the run.
      const waiter = createWaiter(clock, signal);

      const codec = runtime.codec;
      const batcher = createBatcher(
        runtime.batch,
        codec.recordOverheadBytes ?? 0,
        codec.recordExtraBytes ? (r) => codec.recordExtraBytes!(r) : undefined,
      );
      const tracker = createCommitTracker();
      const inFlight = new Set<Promise<void>>();
      // Woken when a batch leaves `inFlight`. (Promise.race over long-lived promises would pile up
      // reactions on a batch stuck in retries while the other slots keep cycling.)
      let slotFreed: (() => void) | undefined;
      const commits = createSerialQueue();
      let fatal: { error: unknown } | undefined;
      const fail = (error: unknown) => {
        fatal ??= { error };
        stop.abort(error);
      };
      // Commits run one after another, in order; after a failure none follow.
      const commit = (upTo: number) => {
        void commits.run(() => (fatal ? undefined : cursor.commit(upTo))).catch(fail);
      };

      try {
        for (;;) {
          const records = await nextBatch(cursor, batcher, clock, signal, waiter);
          if (!records || records.length === 0) break;
          while (inFlight.size >= maxInFlight && !signal.aborted) {
            await new Promise<void>((resolve) => (slotFreed = resolve));
          }
          if (signal.aborted) break;
          const ticket = tracker.open(records[records.length - 1]!.seq);
          const delivery: Promise<void> = deliverBatch(ctx, records, signal)
            .then(
              () => {
                const upTo = tracker.finish(ticket);
                if (upTo !== undefined) commit(upTo);
              },
              (error: unknown) => {
                // An abort leaves the batch unfinished: it is not committed and stays in the journal.
                if (!signal.aborted) fail(error);
              },
            )
            .finally(() => {
              inFlight.delete(delivery);
              slotFreed?.();
              slotFreed = undefined;
            });
          inFlight.add(delivery);
        }
      } catch (error) {
        fail(error);
      } finally {
        await Promise.all(inFlight);
        await commits.idle();
        waiter.dispose();
        stop.dispose();
        running = false;
      }
      if (fatal) throw fatal.error;
    },
  };
}
