/**
 * Shared helpers for the journal tests: accepted events (no seq/id yet) built from the project's
 * record factory, and a bounded condition poll for states reached through real I/O.
 */
import type { AcceptedEvent, AuditEvent, AuditRecord } from '../../src/audit/record.js';
import type { EventLog } from '../../src/journal/event-log.js';
import { makeRecords } from '../helpers/records.js';

/** n distinct accepted events (as the classifier would hand them to the journal). */
export function accepted(n: number, first = 1): AcceptedEvent[] {
  return makeRecords(n, first).map((r) => ({
    line: r.line,
    bytes: r.bytes,
    event: r.event as AuditEvent, // makeRecords' records hold whole events
    source: r.source,
    receivedAtMs: r.receivedAtMs,
  }));
}

/** Waits until `condition()` holds, checking after each turn of the event loop; fails after `ms`. */
export async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Tracks whether a promise has settled, without awaiting it. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

/** Every record a sink's cursor can still take, read until the cursor has nothing more. */
export async function everything(log: EventLog, sink: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (
    let got = await log.cursor(sink).take(1000, 1 << 30);
    got.length > 0;
    got = await log.cursor(sink).take(1000, 1 << 30)
  ) {
    out.push(...got);
  }
  return out;
}
