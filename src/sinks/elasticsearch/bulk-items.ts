/**
 * The items of a 2xx `_bulk` reply: one outcome per document sent. Pure.
 *
 * Guarantees: the item count must equal the record count and each item's `_id` the record's at
 * that position, else the whole batch is retried (never a wrong attribution); a success or a 409
 * on `create` is delivered; an item error about the set-up (config-faults.ts) keeps its record and
 * blocks the sink; only a 400 about the document itself is rejected; anything else is retried.
 * Delivered items are never part of what is retried.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { Outcome, RejectedItem, RetryClass } from '../../contract/outcome.js';
import { parseReplyJson } from '../reply-json.js';
import { configurationFault, type ItemError } from './config-faults.js';
import { documentId } from './encode.js';
import { cut, describe } from './reason-text.js';

/**
 * Item errors about a passing state of the cluster (overload, a shard or master not yet there, a
 * SERVICE_UNAVAILABLE block while the cluster starts):
 * retried at the usual backoff whatever their status.
 */
const TRANSIENT_ITEM_ERRORS = new Set([
  'cluster_block_exception',
  'es_rejected_execution_exception',
  'circuit_breaking_exception',
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
]);
/** Distinct set-up faults spelled out in a blocked reason; more are counted. */
const MAX_FAULTS_LISTED = 3;

/** Where a record was sent (the index its action line names). */
export type IndexOf = (record: AuditRecord) => string;

interface BulkItemBody {
  readonly _id?: unknown;
  readonly status?: unknown;
  readonly error?: unknown;
}

export function classifyItems(
  body: string,
  records: readonly AuditRecord[],
  indexOf: IndexOf,
  retryAfter: string | undefined,
): Outcome {
  const fail = (reason: string): Outcome =>
    retryAfter === undefined
      ? { kind: 'retry', class: 'server_error', reason }
      : { kind: 'retry', class: 'server_error', reason, retryAfter };
  const parsed = parseReplyJson(body);
  if (parsed === undefined) return fail(`bulk reply is not JSON: ${cut(body, 200)}`);
  const items = typeof parsed === 'object' && parsed !== null && 'items' in parsed ? parsed.items : undefined;
  if (!Array.isArray(items)) return fail('bulk reply has no items array');
  if (items.length !== records.length) {
    return fail(`bulk reply has ${items.length} items for ${records.length} documents sent`);
  }

  const retry: number[] = [];
  const rejected: RejectedItem[] = [];
  const blocked: number[] = [];
  const retryCauses = new Map<string, number>();
  const faults = new Map<string, number>();
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
    const verdict = itemVerdict(op!, item, () => indexOf(records[i]!));
    if (verdict.kind === 'delivered') continue;
    if (verdict.kind === 'rejected') {
      rejected.push({ index: i, reason: verdict.reason });
      continue;
    }
    if (verdict.kind === 'blocked') {
      blocked.push(i);
      count(faults, verdict.reason);
      continue;
    }
    retry.push(i);
    count(retryCauses, verdict.reason);
    if (verdict.rateLimited) rateLimited = true;
  }

  if (retry.length === 0 && rejected.length === 0 && blocked.length === 0) return { kind: 'delivered' };
  const retryReason = [...retryCauses].map(([cause, n]) => `${n}× ${cause}`).join(', ');
  if (blocked.length > 0) {
    const why = `${blocked.length} of ${records.length} items refused by the cluster's set-up: ${listFaults(faults)}`;
    if (blocked.length === records.length) return { kind: 'blocked', reason: why };
    // The kept items wait with the blocked ones: one pending set, retried at the blocked wait.
    const kept = [...retry, ...blocked].sort((a, b) => a - b);
    const partial = { kind: 'partial', retry: kept, rejected, retryReason, blockedReason: why } as const;
    return retryAfter === undefined ? partial : { ...partial, retryAfter };
  }
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
  | { kind: 'blocked'; reason: string }
  | { kind: 'retry'; reason: string; rateLimited: boolean };

function itemVerdict(op: string, item: BulkItemBody, indexOf: () => string): ItemVerdict {
  const status = typeof item.status === 'number' ? item.status : undefined;
  const error = item.error as { type?: unknown; reason?: unknown; caused_by?: unknown } | undefined;
  const type = typeof error?.type === 'string' ? error.type : undefined;
  if (status === 200 || status === 201) return { kind: 'delivered' };
  if (status === 409 && op === 'create' && (type === undefined || type.includes('version_conflict'))) {
    return { kind: 'delivered' }; // already stored under this _id by an earlier attempt
  }
  if (status === undefined) return { kind: 'retry', reason: 'item without status', rateLimited: false };
  const fault = configurationFault(status, itemError(error), indexOf());
  if (fault !== undefined) return { kind: 'blocked', reason: fault };
  const label = type === undefined ? `${status}` : `${status} ${type}`;
  if (type !== undefined && TRANSIENT_ITEM_ERRORS.has(type)) {
    return { kind: 'retry', reason: label, rateLimited: status === 429 };
  }
  // What is left of the 400s is about the document itself: mapping, parsing, a bad value.
  if (status === 400) return { kind: 'rejected', reason: `${status} ${describe(error)}` };
  return { kind: 'retry', reason: label, rateLimited: status === 429 };
}

/** The string fields of an item's error object (anything else in it is ignored). */
function itemError(error: unknown): ItemError {
  if (!error || typeof error !== 'object') return typeof error === 'string' ? { reason: error } : {};
  const { type, reason, index } = error as { type?: unknown; reason?: unknown; index?: unknown };
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof index === 'string' ? { index } : {}),
  };
}

/** "3× fault A; 1× fault B (+2 more)"; each fault is bounded (config-faults.ts), so the list is too. */
function listFaults(faults: ReadonlyMap<string, number>): string {
  const all = [...faults];
  const listed = all.slice(0, MAX_FAULTS_LISTED).map(([fault, n]) => `${n}× ${fault}`);
  const more = all.length - listed.length;
  return listed.join('; ') + (more > 0 ? ` (+${more} more)` : '');
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
