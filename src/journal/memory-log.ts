/**
 * The `buffer: memory` event log: the same contract as the disk journal, held in process memory.
 * Everything it holds is LOST if the process dies; users choose it knowingly (documented in
 * README.md). Invariants, on top of event-log.ts:
 * - Seqs are 1, 2, 3… with no gaps; a derived id is `${streamId}-${seq}` where streamId is random
 *   per log instance, so two logs (two runs) never derive the same id.
 * - Held bytes = sum of `record.bytes` not yet committed by every sink; an append that would take
 *   them past maxBytes waits (block) or refuses the newest events (drop_newest, returned as
 *   `dropped`). An event is always accepted when the log holds nothing, so an oversized append
 *   never deadlocks: it is split into the parts that fit.
 * - append is O(batch), take is O(taken), release is O(released): see seq-window.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EventProjector } from '../audit/projection.js';
import { stampRecord, type AcceptedEvent, type AuditRecord } from '../audit/record.js';
import type { AppendResult, EventLog, SinkCursor } from './event-log.js';
import { createSeqWindow } from './seq-window.js';
import { createWakeup } from './wakeup.js';
import { closedError, validateLogOptions } from './event-log.js';

export interface MemoryLogOptions {
  readonly sinkNames: readonly string[];
  /** Bound on held record bytes (the lines' UTF-8 length). */
  readonly maxBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
  /** Prefix of derived ids; default 12 random hex characters. */
  readonly streamId?: string;
  /**
   * What each record keeps of its parsed event (audit/projection.ts); default: all of it. The
   * pipeline keeps only the fields its sinks read, so cached and lagging records hold no parse tree.
   */
  readonly project?: EventProjector;
}

interface CursorState {
  taken: number;
  committed: number;
}

const noop = (): void => {};

export function createMemoryLog(options: MemoryLogOptions): EventLog {
  validateLogOptions(options);
  const { maxBytes, whenFull } = options;
  const idPrefix = `${options.streamId ?? randomBytes(6).toString('hex')}-`;
  const window = createSeqWindow<AuditRecord>(1);
  const appended = createWakeup();
  const freed = createWakeup();
  const states = new Map<string, CursorState>();
  let lastSeq = 0;
  let heldBytes = 0;
  let ended = false;
  let closed = false;
  let full = false;
  let queue: Promise<unknown> = Promise.resolve();

  const release = (): void => {
    let upTo = lastSeq;
    for (const s of states.values()) if (s.committed < upTo) upTo = s.committed;
    let any = false;
    while (window.size > 0 && window.firstSeq <= upTo) {
      heldBytes -= window.shift()!.bytes;
      any = true;
    }
    if (!any) return;
    if (whenFull === 'drop_newest') full = false;
    freed.wakeAll();
  };

  /** End index of the longest prefix of events[from..] that fits (at least one when empty). */
  const fitting = (events: readonly AcceptedEvent[], from: number): number => {
    let end = from;
    let bytes = heldBytes;
    while (end < events.length) {
      const b = events[end]!.bytes;
      if (bytes + b > maxBytes && (end > from || window.size > 0)) break;
      bytes += b;
      end++;
    }
    return end;
  };

  const store = (events: readonly AcceptedEvent[], from: number, to: number, out: AuditRecord[]): void => {
    for (let i = from; i < to; i++) {
      const e = events[i]!;
      const seq = ++lastSeq;
      const record = stampRecord(e, seq, idPrefix, options.project);
      window.push(record);
      heldBytes += e.bytes;
      out.push(record);
    }
  };

  const doAppend = async (events: readonly AcceptedEvent[], stop?: AbortSignal): Promise<AppendResult> => {
    if (closed) throw closedError();
    const stored: AuditRecord[] = [];
    let i = 0;
    while (i < events.length) {
      const end = fitting(events, i);
      if (end > i) {
        store(events, i, end, stored);
        i = end;
        release(); // with no sink (or only sinks past the head) nothing holds the records
        appended.wakeAll();
        continue;
      }
      full = true;
      if (whenFull === 'drop_newest') return { stored, dropped: events.length - i, unstored: 0 };
      if (stop?.aborted) return { stored, dropped: 0, unstored: events.length - i };
      await freed.wait(stop).catch((error: unknown) => {
        if (!stop?.aborted) throw error; // close() rejects the wait: surface that
      });
    }
    full = false;
    return { stored, dropped: 0, unstored: 0 };
  };

  const makeCursor = (sinkName: string, state: CursorState): SinkCursor => ({
    sinkName,
    take(maxEvents, maxBytesPerTake) {
      const out: AuditRecord[] = [];
      let bytes = 0;
      while (state.taken < lastSeq && out.length < maxEvents) {
        const r = window.get(state.taken + 1)!;
        if (out.length > 0 && bytes + r.bytes > maxBytesPerTake) break;
        out.push(r);
        bytes += r.bytes;
        state.taken++;
      }
      return Promise.resolve(out);
    },
    async waitForRecords(signal) {
      while (state.taken >= lastSeq && !ended) await appended.wait(signal);
    },
    onRecords(wake, want) {
      if (state.taken < lastSeq || ended) {
        wake();
        return noop;
      }
      const events = want?.events ?? 1;
      const bytes = want?.bytes ?? Infinity;
      let seen = lastSeq;
      let newBytes = 0;
      return appended.subscribe(() => {
        for (; seen < lastSeq; seen++) newBytes += window.get(seen + 1)?.bytes ?? 0;
        if (ended || lastSeq - state.taken >= events || newBytes >= bytes) wake();
      });
    },
    get drained() {
      return ended && state.taken >= lastSeq;
    },
    commit(upTo) {
      if (upTo < state.committed || upTo > lastSeq || !Number.isInteger(upTo)) {
        const message = `commit(${upTo}) for sink "${sinkName}" is out of order: committed ${state.committed}, head ${lastSeq}`;
        return Promise.reject(new RangeError(message));
      }
      state.committed = upTo;
      if (state.taken < upTo) state.taken = upTo;
      release();
      return Promise.resolve();
    },
    lag() {
      const events = lastSeq - state.committed;
      const oldest = events > 0 ? window.get(state.committed + 1) : undefined;
      return oldest ? { events, oldestReceivedAtMs: oldest.receivedAtMs } : { events };
    },
    rewind() {
      state.taken = state.committed;
    },
    skipToHead() {
      const skipped = lastSeq - state.committed;
      state.committed = state.taken = lastSeq;
      release();
      return Promise.resolve(skipped);
    },
  });

  const cursors = new Map<string, SinkCursor>();
  for (const name of options.sinkNames) {
    const state: CursorState = { taken: 0, committed: 0 };
    states.set(name, state);
    cursors.set(name, makeCursor(name, state));
  }

  return {
    append(events, stop) {
      const result = queue.then(() => doAppend(events, stop));
      queue = result.catch(() => undefined);
      return result;
    },
    endInput() {
      ended = true;
      appended.wakeAll();
    },
    cursor(sinkName) {
      const c = cursors.get(sinkName);
      if (!c)
        throw new Error(
          `event log has no cursor for sink "${sinkName}" (sinks: ${[...cursors.keys()].join(', ')})`,
        );
      return c;
    },
    stats: () => ({ records: window.size, bytes: heldBytes, full }),
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      ended = true;
      freed.failAll(closedError());
      appended.wakeAll();
      return Promise.resolve();
    },
  };
}
