/**
 * A HEC data error (codes 5, 6, 12, 13, 15) → which events of the request it covers. Pure.
 *
 * With `invalid-event-number: N` (docs/receivers.md §3, observed): the envelopes before N were indexed,
 * N is the bad one, the ones after N were not indexed. So [0, N) are delivered, N is dead-lettered
 * with HEC's text, (N, end] are sent again. Such a reply never has an ackId, even with indexer
 * acknowledgement on: Splunk's word that [0, N) were indexed is all there is.
 *
 * Without a usable N the reply does not say which event is bad: halve the request until the bad
 * one is alone ('bisect'). A re-sent good event is harmless: HEC indexed nothing of the request,
 * or, if it did, the copy carries the same `event_id`.
 */
import type { Outcome } from '../../contract/outcome.js';

export const DATA_ERROR_CODES: ReadonlySet<number> = new Set([5, 6, 12, 13, 15]);

export function refusedEvents(reason: string, invalidEventNumber: unknown, count: number): Outcome {
  const n = eventNumber(invalidEventNumber);
  if (n === undefined || n >= count) return { kind: 'bisect', reason };
  const retry: number[] = [];
  for (let i = n + 1; i < count; i++) retry.push(i);
  return {
    kind: 'partial',
    retry,
    rejected: [{ index: n, reason }],
    retryReason: `HEC refused event ${n} of the request (${reason}) and did not index the ones after it`,
  };
}

/** A non-negative integer, given as a number or (tolerated) as its decimal text. */
function eventNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
