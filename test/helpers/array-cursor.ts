/**
 * A SinkCursor over a fixed array of records, for testing sinks and the delivery loop without a
 * journal. Records `commits` so tests can assert exactly what was acknowledged.
 */
import type { AuditRecord } from '../../src/audit/record.js';
import type { SinkCursor } from '../../src/journal/event-log.js';

export interface ArrayCursor extends SinkCursor {
  readonly commits: number[];
  /** Adds records later (as if the input produced more). */
  push(...records: AuditRecord[]): void;
  /** Marks the input finished. */
  end(): void;
}

export function createArrayCursor(
  initial: readonly AuditRecord[],
  options: { ended?: boolean } = {},
): ArrayCursor {
  const records = [...initial];
  const commits: number[] = [];
  let taken = 0;
  let committed = 0;
  let ended = options.ended ?? true;
  let wake: (() => void)[] = [];
  const subscribers = new Set<() => void>();
  const notify = () => {
    const w = wake;
    wake = [];
    for (const f of w) f();
    for (const f of subscribers) f();
  };

  return {
    sinkName: 'test',
    commits,
    push(...more) {
      records.push(...more);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    take(maxEvents, maxBytes) {
      const out: AuditRecord[] = [];
      let bytes = 0;
      while (taken < records.length && out.length < maxEvents) {
        const r = records[taken]!;
        if (out.length > 0 && bytes + r.bytes > maxBytes) break;
        out.push(r);
        bytes += r.bytes;
        taken++;
      }
      return Promise.resolve(out);
    },
    waitForRecords(signal) {
      if (taken < records.length || ended) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        wake.push(resolve);
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      });
    },
    onRecords(wakeUp, want) {
      if (taken < records.length || ended) {
        wakeUp();
        return () => {};
      }
      const from = records.length;
      const listener = () => {
        const fresh = records.slice(from);
        const bytes = fresh.reduce((sum, r) => sum + r.bytes, 0);
        if (ended || fresh.length >= (want?.events ?? 1) || bytes >= (want?.bytes ?? Infinity)) wakeUp();
      };
      subscribers.add(listener);
      return () => subscribers.delete(listener);
    },
    get drained() {
      return ended && taken >= records.length;
    },
    commit(upTo) {
      const last = commits.at(-1);
      if (last !== undefined && upTo < last) throw new Error(`commit went backwards: ${upTo} < ${last}`);
      commits.push(upTo);
      committed = records.filter((r) => r.seq <= upTo).length;
      return Promise.resolve();
    },
    lag() {
      const oldest = records[committed];
      return oldest
        ? { events: records.length - committed, oldestReceivedAtMs: oldest.receivedAtMs }
        : { events: 0 };
    },
    rewind() {
      taken = committed;
    },
    skipToHead() {
      const skipped = records.length - committed;
      const last = records.at(-1);
      if (last && skipped > 0) commits.push(last.seq);
      committed = taken = records.length;
      return Promise.resolve(skipped);
    },
  };
}
