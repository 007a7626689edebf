/**
 * What a `_bulk` reply means for the records that were sent. Pure.
 *
 * Guarantees (the bugs of other shippers we refuse to copy):
 * - A 200 is never "delivered" on its word alone: every item is read, the item count must equal the
 *   record count, and any item that is not a success (or a 409 on `create`: already stored) is
 *   retried, kept or dead-lettered on its own: one bad item never sinks the batch, one good item
 *   never hides the others.
 * - Only a document error (item 400 about the document itself) is rejected. An item error about the
 *   set-up (a privilege, a missing index, a block: config-faults.ts) keeps its record and marks the
 *   sink blocked; anything unknown, unparseable or contradictory is retried: never drop on doubt.
 * - A reply cut at the transport's read limit is never read as a whole one: the batch is halved
 *   until its reply fits (see truncatedReply).
 * - Retry-After is passed through raw for the retry policy to honour.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { HttpReply, Outcome } from '../../deliver/outcome.js';
import { replyObject } from '../reply-json.js';
import { classifyItems, type IndexOf } from './bulk-items.js';
import { cut, describe } from './reason-text.js';

export { MAX_REASON_CHARS } from './reason-text.js';

export function classifyBulkReply(
  reply: HttpReply,
  records: readonly AuditRecord[],
  indexOf: IndexOf = () => '?',
): Outcome {
  if (reply.kind === 'network_error') {
    return { kind: 'retry', class: 'network', reason: `network error ${reply.code}: ${cut(reply.message)}` };
  }
  if (reply.kind === 'timeout') {
    return { kind: 'retry', class: 'timeout', reason: `no reply within ${reply.afterMs} ms` };
  }
  const { status } = reply;
  const retryAfter = header(reply.headers['retry-after']);
  const withRetryAfter = <T extends object>(o: T): T => (retryAfter === undefined ? o : { ...o, retryAfter });

  if (status >= 200 && status < 300) {
    if (reply.truncated) return truncatedReply(records.length);
    return classifyItems(reply.body, records, indexOf, retryAfter);
  }
  if (status === 429) {
    return withRetryAfter({ kind: 'retry', class: 'rate_limited', reason: `429 ${errorText(reply.body)}` });
  }
  if (status >= 500) {
    return withRetryAfter({
      kind: 'retry',
      class: 'server_error',
      reason: `${status} ${errorText(reply.body)}`,
    });
  }
  if (status === 408) return { kind: 'retry', class: 'timeout', reason: `408 ${errorText(reply.body)}` };
  if (status === 413) return { kind: 'split', reason: '413 request body too large for the receiver' };
  if (status === 401 || status === 403) {
    // The body can name the user; the status says enough.
    return { kind: 'blocked', reason: `${status} credentials rejected or not allowed to write` };
  }
  if (status === 404) return { kind: 'blocked', reason: `404 no bulk endpoint at this URL` };
  if (status === 400) {
    const text = errorText(reply.body);
    // "no handler found for uri": the URL has a wrong path prefix, a configuration fault.
    if (/no handler found for uri/i.test(text)) return { kind: 'blocked', reason: `400 ${text}` };
    return { kind: 'rejected', reason: `400 ${text}` };
  }
  // Redirects and other 4xx (405, 406, 415…) mean the sink is misconfigured: keep and retry slowly.
  return { kind: 'blocked', reason: `unexpected status ${status} ${errorText(reply.body)}` };
}

/**
 * A bulk reply longer than the transport reads: the items past the cut are unknown. Resending the
 * whole batch would not end (the resend's items are 409s, whose replies are longer still), so the
 * batch is halved: each half gets a reply about half as long, and a lone document's reply is
 * tiny, so this ends after at most log2(n) levels. Records already stored come back 409 =
 * delivered. A lone document whose reply is still cut (not a bulk reply: a proxy's page) is
 * retried like any reply we cannot read.
 */
function truncatedReply(count: number): Outcome {
  const reason = 'bulk reply longer than the read limit';
  return count > 1
    ? { kind: 'split', reason: `${reason}: halving the batch so each reply fits` }
    : { kind: 'retry', class: 'server_error', reason };
}

/** The error of a whole-request reply: ES's {"error":{type,reason}} or {"error":"text"}, else the body. */
function errorText(body: string): string {
  if (body === '') return '(empty body)';
  const error = replyObject(body)?.error;
  // Not JSON: a proxy's page or plain text, reported as is.
  return error !== undefined ? describe(error) : cut(body);
}

function header(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}
