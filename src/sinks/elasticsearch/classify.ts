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
import type { HttpReply, Outcome } from '../../contract/outcome.js';
import { replyObject } from '../reply-json.js';
import { defaultStatusOutcome, retryAfterOf, statusStep } from '../status-ladder.js';
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
  const retryAfter = retryAfterOf(reply);
  const step = statusStep(status);
  switch (step) {
    case 'success':
      if (reply.truncated) return truncatedReply(records.length);
      return classifyItems(reply.body, records, indexOf, retryAfter);
    case 'rate_limited':
      return defaultStatusOutcome(step, `429 ${errorText(reply.body)}`, retryAfter);
    case 'server_error':
      return defaultStatusOutcome(step, `${status} ${errorText(reply.body)}`, retryAfter);
    case 'request_timeout':
      return defaultStatusOutcome(step, `408 ${errorText(reply.body)}`);
    case 'too_large':
      return defaultStatusOutcome(step, '413 request body too large for the receiver');
    case 'unauthorized':
      // The body can name the user; the status says enough.
      return defaultStatusOutcome(step, `${status} credentials rejected or not allowed to write`);
    case 'not_found':
      return defaultStatusOutcome(step, `404 no bulk endpoint at this URL`);
    case 'bad_request': {
      const text = errorText(reply.body);
      // "no handler found for uri": the URL has a wrong path prefix, a configuration fault.
      if (/no handler found for uri/i.test(text)) return { kind: 'blocked', reason: `400 ${text}` };
      return defaultStatusOutcome(step, `400 ${text}`);
    }
    case 'redirect':
    case 'client_error':
    case 'unexpected':
      // Redirects and other 4xx (405, 406, 415…) mean the sink is misconfigured: keep and retry slowly.
      return { kind: 'blocked', reason: `unexpected status ${status} ${errorText(reply.body)}` };
  }
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
