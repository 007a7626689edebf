/**
 * The event log sits between the input and the sinks: the input appends accepted events, and
 * each sink reads them through its own cursor (like a consumer group).
 *
 * Invariants every implementation keeps:
 * - `append` resolves only once the events are stored per the durability policy; the input does
 *   not read on until it resolves, so backpressure reaches the producer.
 * - A record leaves the log only when every sink's cursor has committed past it.
 * - A sink's cursor never moves because of another sink: a dead sink never holds back a healthy one
 *   (except through `when_full: block`, which is the documented price of not dropping).
 * - Sequence numbers strictly increase and are never reused within one log.
 */
import type { AcceptedEvent, AuditRecord } from '../audit/record.js';
import type { Checkpoint } from '../integrity/checkpoint.js';

export interface AppendResult {
  /** Records stored, with their sequence numbers and ids, in input order. */
  readonly stored: readonly AuditRecord[];
  /** Events refused because the log was full under `when_full: drop_newest` (counted by the caller). */
  readonly dropped: number;
  /**
   * The last `unstored` events of the call were not stored because `stop` aborted while the log was
   * full or its disk refused writes (`when_full: block`): the caller still holds them and must
   * account for them.
   */
  readonly unstored: number;
}

export interface EventLog {
  /**
   * Stores the events, waiting for space (or for a failed write to be retried) under
   * `when_full: block`. `stop` ends every such wait (shutdown): what was not stored by then is
   * reported as `unstored`, never silently lost.
   */
  append(events: readonly AcceptedEvent[], stop?: AbortSignal): Promise<AppendResult>;
  /** No more appends will come (stdin EOF or shutdown); cursors that reach the head end. */
  endInput(): void;
  /** The cursor of a sink; the same object for the same name. */
  cursor(sinkName: string): SinkCursor;
  /** Records held (not yet committed by every sink), bytes held, segment files (disk only). */
  stats(): {
    readonly records: number;
    readonly bytes: number;
    readonly full: boolean;
    readonly segments?: number;
  };
  close(): Promise<void>;
  /** Present when integrity is on (a disk journal given a key): docs/integrity.md. */
  readonly integrity?: JournalIntegrity;
  /**
   * Integrity on, after a restart: whether the journal already holds an event with this
   * source-chosen id (a line the input reads again because its position was saved behind the
   * journal, a Forward request re-sent after a crash). Such a line is not journaled again: a second
   * copy under a new seq would be a chained event that a sink keeping one copy per id never shows.
   * Each id answers true once; absent when there is nothing to ask.
   */
  readonly alreadyJournaled?: (id: string) => boolean;
}

export interface JournalIntegrity {
  readonly keyId: string;
  /** Audit events chained since the last checkpoint (0: a checkpoint would say nothing new). */
  readonly sinceCheckpoint: number;
  /**
   * Signs a checkpoint of the chain as it stands and appends it to the journal as a record of
   * kind 'checkpoint' (so every sink gets it), in append order. Undefined when nothing was chained
   * since the last one. `journaled` is false when the journal could not take it (full, `stop`).
   */
  checkpoint(
    timeMs: number,
    stop?: AbortSignal,
  ): Promise<{ readonly checkpoint: Checkpoint; readonly journaled: boolean } | undefined>;
}

/** How many new records a waiting delivery loop needs before it is worth waking (SinkCursor.onRecords). */
export interface RecordsWanted {
  readonly events: number;
  readonly bytes: number;
}

export interface SinkCursor {
  readonly sinkName: string;
  /**
   * Up to `maxEvents` records / about `maxBytes` (at least one record) after what this cursor has
   * already taken, without waiting. Empty when nothing new is there yet.
   */
  take(maxEvents: number, maxBytes: number): Promise<AuditRecord[]>;
  /** Resolves when `take` may return something new or the input has ended. */
  waitForRecords(signal: AbortSignal): Promise<void>;
  /**
   * Calls `wake` (once or more, maybe at once) when `take` may return what the caller waits for:
   * `want.events` new records or about `want.bytes` of them, whichever comes first (any record
   * when `want` is omitted), or the input has ended. A hint: the caller takes and checks again.
   * Returns the function that stops the calls. No promise and no signal: the delivery loop's wait
   * (wait.ts) owns the deadline and shutdown, and a sink gathering a partial batch is not woken
   * by every single record.
   */
  onRecords(wake: () => void, want?: RecordsWanted): () => void;
  /** Input ended and every record has been taken. */
  readonly drained: boolean;
  /**
   * Every record with seq <= upTo has a final outcome for this sink (delivered or dead-lettered).
   * Commits must be called in non-decreasing order.
   */
  commit(upTo: number): Promise<void>;
  /** Records not yet committed by this sink, and the receive time of the oldest one. */
  lag(): { readonly events: number; readonly oldestReceivedAtMs?: number };
  /**
   * Forget what was taken but not committed, so the next `take` starts again right after the last
   * commit. Used after a shutdown abort in tests and by memory mode.
   */
  rewind(): void;
  /**
   * Commits every record published so far without handing it out, and says how many that was: for
   * a sink whose reader went away, or that starts fresh each run (stdout). Call it only while no
   * delivery loop runs on this cursor, or its later commits would go backwards.
   */
  skipToHead(): Promise<number>;
}

/**
 * Checks shared by every event log implementation. Bad options are configuration bugs, so they throw.
 */
export interface CommonLogOptions {
  readonly sinkNames: readonly string[];
  readonly maxBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
}

export function validateLogOptions(options: CommonLogOptions): void {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
    throw new RangeError(`event log maxBytes must be a positive integer, got ${options.maxBytes}`);
  }
  if (options.whenFull !== 'block' && options.whenFull !== 'drop_newest') {
    throw new RangeError(
      `event log whenFull must be "block" or "drop_newest", got ${String(options.whenFull)}`,
    );
  }
  const seen = new Set<string>();
  for (const name of options.sinkNames) {
    if (name.length === 0) throw new RangeError('event log sink names must not be empty');
    if (seen.has(name)) throw new RangeError(`event log sink "${name}" is listed twice`);
    seen.add(name);
  }
}

/** What a blocked or late append rejects with once the log is closed (code JOURNAL_CLOSED). */
export function closedError(): Error {
  return Object.assign(new Error('event log is closed'), { code: 'JOURNAL_CLOSED' });
}
