/**
 * What a `_bulk` reply means for the records that were sent. Pure.
 *
 * Guarantees (the bugs of other shippers we refuse to copy):
 * - A 200 is never "delivered" on its word alone: every item is read, the item count must equal the
 *   record count, and any item that is not a success (or a 409 on `create`: already stored) is
 *   retried or dead-lettered on its own: one bad item never sinks the batch, one good item never
 *   hides the others.
 * - Only an item status known to be permanent (400, 403, 404 about the document itself) is rejected;
 *   anything unknown, unparseable or contradictory is retried: never drop on doubt.
 * - Retry-After is passed through raw for the retry policy to honour.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { HttpReply, Outcome, RejectedItem, RetryClass } from '../../deliver/outcome.js';
import { documentId } from './encode.js';

/** Receiver error texts are cut to this many characters in reasons and dead-letter details. */
export const MAX_REASON_CHARS = 1024;

/**
 * Item errors that describe the cluster or index state, not the document: resending later can
 * succeed (disk flood-stage block, closed index, missing ingest pipeline), so they are retried even
 * when their status would otherwise be permanent.
 */
const TRANSIENT_ITEM_ERRORS = new Set([
  'cluster_block_exception',
  'index_closed_exception',
  'es_rejected_execution_exception',
  'circuit_breaking_exception',
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
]);
const PERMANENT_ITEM_STATUSES = new Set([400, 403, 404]);

interface BulkItemBody {
  readonly _id?: unknown;
  readonly status?: unknown;
  readonly error?: unknown;
}

export function classifyBulkReply(reply: HttpReply, records: readonly AuditRecord[]): Outcome {
  if (reply.kind === 'network_error') {
    return { kind: 'retry', class: 'network', reason: `network error ${reply.code}: ${cut(reply.message)}` };
  }
  if (reply.kind === 'timeout') {
    return { kind: 'retry', class: 'timeout', reason: `no reply within ${reply.afterMs} ms` };
  }
  const { status } = reply;
  const retryAfter = header(reply.headers['retry-after']);
  const withRetryAfter = <T extends object>(o: T): T => (retryAfter === undefined ? o : { ...o, retryAfter });

  if (status >= 200 && status < 300) return classifyItems(reply.body, records, retryAfter);
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

function classifyItems(
  body: string,
  records: readonly AuditRecord[],
  retryAfter: string | undefined,
): Outcome {
  const fail = (reason: string): Outcome =>
    retryAfter === undefined
      ? { kind: 'retry', class: 'server_error', reason }
      : { kind: 'retry', class: 'server_error', reason, retryAfter };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail(`bulk reply is not JSON: ${cut(body, 200)}`);
  }
  const items = (parsed as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return fail('bulk reply has no items array');
  if (items.length !== records.length) {
    return fail(`bulk reply has ${items.length} items for ${records.length} documents sent`);
  }

  const retry: number[] = [];
  const rejected: RejectedItem[] = [];
  const retryCauses = new Map<string, number>();
  let rateLimited = false;
  for (let i = 0; i < items.length; i++) {
    const entry = items[i] as Record<string, BulkItemBody> | null;
    const op = entry && typeof entry === 'object' ? Object.keys(entry)[0] : undefined;
    const item = op === undefined ? undefined : entry?.[op];
    if (!item || typeof item !== 'object') {
      retry.push(i);
      count(retryCauses, 'malformed item');
      continue;
    }
    // Items come in request order; a mismatched _id means we cannot tell which record an item is about.
    if (typeof item._id === 'string' && item._id !== documentId(records[i]!.id)) {
      return fail(`bulk reply item ${i} is about _id ${cut(item._id, 100)}, not the document sent there`);
    }
    const verdict = itemVerdict(op!, item);
    if (verdict.kind === 'delivered') continue;
    if (verdict.kind === 'rejected') {
      rejected.push({ index: i, reason: verdict.reason });
      continue;
    }
    retry.push(i);
    count(retryCauses, verdict.reason);
    if (verdict.rateLimited) rateLimited = true;
  }

  if (retry.length === 0 && rejected.length === 0) return { kind: 'delivered' };
  const retryReason = [...retryCauses].map(([cause, n]) => `${n}× ${cause}`).join(', ');
  if (retry.length === records.length) {
    const cls: RetryClass = rateLimited ? 'rate_limited' : 'server_error';
    return retryAfter === undefined
      ? { kind: 'retry', class: cls, reason: `every item failed: ${retryReason}` }
      : { kind: 'retry', class: cls, reason: `every item failed: ${retryReason}`, retryAfter };
  }
  return retryAfter === undefined
    ? { kind: 'partial', retry, rejected, retryReason }
    : { kind: 'partial', retry, rejected, retryReason, retryAfter };
}

type ItemVerdict =
  | { kind: 'delivered' }
  | { kind: 'rejected'; reason: string }
  | { kind: 'retry'; reason: string; rateLimited: boolean };

function itemVerdict(op: string, item: BulkItemBody): ItemVerdict {
  const status = typeof item.status === 'number' ? item.status : undefined;
  const error = item.error as { type?: unknown; reason?: unknown; caused_by?: unknown } | undefined;
  const type = typeof error?.type === 'string' ? error.type : undefined;
  if (status === 200 || status === 201) return { kind: 'delivered' };
  if (status === 409 && op === 'create' && (type === undefined || type.includes('version_conflict'))) {
    return { kind: 'delivered' }; // already stored under this _id by an earlier attempt
  }
  if (status === undefined) return { kind: 'retry', reason: 'item without status', rateLimited: false };
  const label = type === undefined ? `${status}` : `${status} ${type}`;
  if (type !== undefined && (TRANSIENT_ITEM_ERRORS.has(type) || isMissingPipeline(error))) {
    return { kind: 'retry', reason: label, rateLimited: status === 429 };
  }
  if (PERMANENT_ITEM_STATUSES.has(status))
    return { kind: 'rejected', reason: `${status} ${describe(error)}` };
  return { kind: 'retry', reason: label, rateLimited: status === 429 };
}

function isMissingPipeline(error: { reason?: unknown } | undefined): boolean {
  return typeof error?.reason === 'string' && /pipeline with id \[.*\] does not exist/.test(error.reason);
}

/** "type: reason (caused by type: reason)", cut to MAX_REASON_CHARS. */
function describe(error: unknown): string {
  if (!error || typeof error !== 'object') return typeof error === 'string' ? cut(error) : 'unknown error';
  const e = error as { type?: unknown; reason?: unknown; caused_by?: unknown };
  let text = `${asText(e.type ?? 'error')}: ${asText(e.reason ?? '')}`;
  const cause = e.caused_by as { type?: unknown; reason?: unknown } | undefined;
  if (cause && typeof cause === 'object')
    text += ` (caused by ${asText(cause.type)}: ${asText(cause.reason)})`;
  return cut(text);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

/** The error of a whole-request reply: ES's {"error":{type,reason}} or {"error":"text"}, else the body. */
function errorText(body: string): string {
  if (body === '') return '(empty body)';
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (parsed && typeof parsed === 'object' && parsed.error !== undefined) return describe(parsed.error);
  } catch {
    // not JSON: a proxy's page or plain text, reported as is
  }
  return cut(body);
}

function header(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function cut(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
