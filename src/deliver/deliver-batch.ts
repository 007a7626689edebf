/**
 * Delivers one batch until every record in it has a final outcome: delivered, or dead-lettered
 * with the receiver's reason. Only then does it resolve; the caller may then commit past it.
 *
 * Invariants: a record is never dropped because attempts ran out (retryable outcomes are retried
 * forever); a dead-letter write is awaited before the records count as final; records the receiver
 * accepted are never sent again by this batch, except when an acknowledgement times out
 * (at-least-once). On abort it rejects with the signal's reason and the batch is not final.
 * A record the sink cannot encode is dead-lettered (`encode_failed`) and the others go on
 * (encode-guard.ts): no record's content can make this throw.
 */
import type { AuditRecord } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { DeadLetterReason, DeadLetterSink } from '../dead-letter/dead-letter.js';
import { journaledRecord } from '../dead-letter/records.js';
import {
  bump,
  countDeadLettered,
  replyClass,
  type RejectReason,
  type RetryReason,
  type SinkStats,
  type Stats,
} from '../observe/stats.js';
import type { Acknowledger, Credentials, SinkCodec, SinkRequest, Transport } from '../contract/sink.js';
import type { EncodeGuard } from './encode-guard.js';
import type { FailureLog } from './failure-log.js';
import type { Outcome, RejectedItem, Unconfirmed } from '../contract/outcome.js';
import type { RetryPolicy } from './retry-policy.js';

export const TOO_LARGE_DETAIL = 'too large for the receiver (HTTP 413)';

export interface BatchDeliveryContext {
  readonly name: string;
  readonly source: string;
  readonly codec: SinkCodec;
  /** Wraps codec.encode: a record that cannot be encoded becomes its own dead-letter outcome. */
  readonly encoder: EncodeGuard;
  readonly transport: Transport;
  readonly credentials?: Credentials;
  readonly acknowledger?: Acknowledger;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly deadLetter: DeadLetterSink;
  readonly stats: Stats;
  readonly sink: SinkStats;
  readonly log: FailureLog;
}

// An ack that never came is retried like a timeout, for the policy's purposes.
const ackTimeout = {
  kind: 'retry',
  class: 'timeout',
  reason: 'acknowledgement timed out',
} as const satisfies Outcome;

export async function deliverBatch(
  ctx: BatchDeliveryContext,
  records: readonly AuditRecord[],
  signal: AbortSignal,
): Promise<void> {
  let pending = records;
  // Retry outcomes carrying splitAfter received in a row (Loki's 429 for a push over its burst).
  let splitStreak = 0;
  // Counts this batch's failed attempts (retry-policy.ts): call delayFor once per failure.
  const backoffs = ctx.policy.batchBackoff();
  for (;;) {
    signal.throwIfAborted();
    const encoded = ctx.encoder.encode(pending);
    if (encoded.failed.length > 0) {
      const { failed } = encoded;
      await deadLetter(
        ctx,
        failed.map((f) => f.record),
        (i) => failed[i]!.error,
        signal,
        'encode_failed',
      );
      pending = encoded.records;
      // Nothing was sent: the receiver's health (blocked, failing) is not known any better.
      if (pending.length === 0) return;
    }
    const outcome: Outcome = encoded.request
      ? await attemptOnce(ctx, encoded.request, pending, signal)
      : { kind: 'split', reason: `encode failed for the batch: ${encoded.error}` };
    splitStreak = outcome.kind === 'retry' && outcome.splitAfter !== undefined ? splitStreak + 1 : 0;
    const delayFor = (o: Outcome) => backoffs.next(o, ctx.clock.now());
    switch (outcome.kind) {
      case 'delivered':
        delivered(ctx, auditEvents(pending), outcome.unconfirmed);
        return;
      case 'rejected':
        succeeded(ctx, 0);
        await deadLetter(ctx, pending, () => outcome.reason, signal);
        return;
      case 'split':
      case 'bisect': {
        if (pending.length === 1) {
          const tooLarge = outcome.kind === 'split';
          succeeded(ctx, 0);
          await deadLetter(
            ctx,
            pending,
            () => (tooLarge ? TOO_LARGE_DETAIL : outcome.reason),
            signal,
            tooLarge ? 'too_large' : 'refused',
          );
          return;
        }
        count(ctx.sink, outcome.kind);
        await deliverHalves(ctx, pending, signal);
        return;
      }
      case 'partial': {
        const { retry, rejected } = splitPartial(pending, outcome.retry, outcome.rejected);
        await deadLetter(
          ctx,
          rejected.map((r) => r.record),
          (i) => rejected[i]!.reason,
          signal,
        );
        ctx.sink.delivered +=
          auditEvents(pending) - auditEvents(retry) - auditEvents(rejected.map((r) => r.record));
        if (retry.length === 0) {
          succeeded(ctx, 0);
          return;
        }
        pending = retry;
        if (outcome.blockedReason === undefined) {
          await backoff(ctx, 'partial', outcome.retryReason, delayFor(outcome), signal);
        } else {
          await waitBlocked(ctx, outcome.blockedReason, delayFor(outcome), signal);
        }
        break;
      }
      case 'retry':
        await backoff(ctx, outcome.class, outcome.reason, delayFor(outcome), signal);
        if (pending.length > 1 && splitStreak >= (outcome.splitAfter ?? Infinity)) {
          count(ctx.sink, 'split');
          await deliverHalves(ctx, pending, signal);
          return;
        }
        break;
      case 'blocked':
        await waitBlocked(ctx, outcome.reason, delayFor(outcome), signal);
        break;
      case 'awaiting_ack': {
        if (!ctx.acknowledger)
          throw new Error(`sink ${ctx.name}: codec asked for an ack but has no acknowledger`);
        const answer = await ctx.acknowledger.wait(outcome.ackId, signal);
        if (answer === false) {
          await backoff(ctx, 'ack_timeout', ackTimeout.reason, delayFor(ackTimeout), signal);
          break;
        }
        if (answer === true || answer.kind === 'delivered') {
          delivered(ctx, auditEvents(pending), answer === true ? undefined : answer.unconfirmed);
          return;
        }
        // The receiver cannot confirm acks at all and confirmation is required: held like any
        // other configuration fault.
        await waitBlocked(ctx, answer.reason, delayFor(answer), signal);
        break;
      }
    }
  }
}

/** Halves go one after the other so a sink that needs order (Loki) keeps it. */
async function deliverHalves(
  ctx: BatchDeliveryContext,
  records: readonly AuditRecord[],
  signal: AbortSignal,
): Promise<void> {
  const mid = Math.ceil(records.length / 2);
  await deliverBatch(ctx, records.slice(0, mid), signal);
  await deliverBatch(ctx, records.slice(mid), signal);
}

async function attemptOnce(
  ctx: BatchDeliveryContext,
  request: SinkRequest,
  records: readonly AuditRecord[],
  signal: AbortSignal,
): Promise<Outcome> {
  ctx.sink.requests++;
  ctx.sink.sentBytes += request.body.byteLength;
  ctx.sink.inFlight++;
  try {
    const reply = await ctx.transport.send(request, signal);
    bump(ctx.sink.replies, replyClass(reply));
    return ctx.codec.classify(reply, records);
  } finally {
    ctx.sink.inFlight--;
  }
}

async function backoff(
  ctx: BatchDeliveryContext,
  retryClass: RetryReason,
  reason: string,
  delayMs: number,
  signal: AbortSignal,
): Promise<void> {
  count(ctx.sink, retryClass);
  failed(ctx, reason);
  ctx.log.retrying(reason, retryClass, delayMs);
  await ctx.clock.sleep(delayMs, signal);
}

/** The sink is refused as configured: report it blocked, log an error, wait, re-read credentials. */
async function waitBlocked(
  ctx: BatchDeliveryContext,
  reason: string,
  delayMs: number,
  signal: AbortSignal,
): Promise<void> {
  ctx.sink.blockedSinceMs ??= ctx.clock.now();
  failed(ctx, reason);
  count(ctx.sink, 'blocked');
  ctx.log.blocked(reason, delayMs);
  await ctx.clock.sleep(delayMs, signal);
  // Re-read token files just before the next attempt, so a fix made during the wait is used.
  await ctx.credentials?.refresh();
}

/**
 * Audit events among records: checkpoint records (integrity, docs/integrity.md) are delivered like
 * events but never counted as delivered events (docs/metrics.md).
 */
function auditEvents(records: readonly AuditRecord[]): number {
  let n = 0;
  for (const r of records) if (r.kind !== 'checkpoint') n++;
  return n;
}

/** Delivered; when only on the receiver's word, also counted apart and warned about (once). */
function delivered(ctx: BatchDeliveryContext, n: number, unconfirmed: Unconfirmed | undefined): void {
  if (unconfirmed) {
    ctx.sink.unconfirmed[unconfirmed.code] = (ctx.sink.unconfirmed[unconfirmed.code] ?? 0) + n;
    ctx.log.unconfirmed(unconfirmed);
  }
  succeeded(ctx, n);
}

/** An attempt failed: the sink reports its last error and since when it has been failing. */
function failed(ctx: BatchDeliveryContext, reason: string): void {
  ctx.sink.failingSinceMs ??= ctx.clock.now();
  ctx.sink.lastError = reason;
}

function succeeded(ctx: BatchDeliveryContext, delivered: number): void {
  ctx.sink.delivered += delivered;
  ctx.sink.blockedSinceMs = undefined;
  ctx.sink.failingSinceMs = undefined;
  ctx.sink.lastError = undefined;
  ctx.log.succeeded();
}

function count(sink: SinkStats, key: RetryReason): void {
  bump(sink.retries, key);
}

/** Codec indices → records. An index listed as both retry and rejected is retried (never lost). */
function splitPartial(
  records: readonly AuditRecord[],
  retryIdx: readonly number[],
  rejectedItems: readonly RejectedItem[],
): { retry: AuditRecord[]; rejected: { record: AuditRecord; reason: string }[] } {
  const retrySet = new Set(retryIdx.filter((i) => i >= 0 && i < records.length));
  const retry = [...retrySet].sort((a, b) => a - b).map((i) => records[i]!);
  const seen = new Set<number>();
  const rejected: { record: AuditRecord; reason: string }[] = [];
  for (const item of rejectedItems) {
    const record = records[item.index];
    if (!record || retrySet.has(item.index) || seen.has(item.index)) continue;
    seen.add(item.index);
    rejected.push({ record, reason: item.reason });
  }
  return { retry, rejected };
}

/**
 * Dead-letters records this sink cannot deliver: refused by the receiver, or not encodable.
 * Records count as final only once they are in the file. A write the disk keeps refusing ends with
 * `signal` (shutdown) by rejecting: the batch is then not final and stays in the journal.
 */
async function deadLetter(
  ctx: BatchDeliveryContext,
  records: readonly AuditRecord[],
  detailOf: (i: number) => string,
  signal: AbortSignal,
  why: RejectReason | 'encode_failed' = 'refused',
): Promise<void> {
  if (records.length === 0) return;
  const reason: DeadLetterReason = why === 'encode_failed' ? 'encode_failed' : 'rejected';
  const dead = records.map((r, i) => journaledRecord(r, reason, detailOf(i), ctx.source, ctx.name));
  await ctx.deadLetter.write(dead, signal);
  if (why === 'encode_failed') ctx.sink.encodeFailed += records.length;
  else {
    ctx.sink.rejected += records.length;
    bump(ctx.sink.rejectedByReason, why, records.length);
  }
  countDeadLettered(ctx.stats, dead);
}
