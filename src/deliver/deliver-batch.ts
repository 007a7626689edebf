/**
 * Delivers one batch until every record in it has a final outcome: delivered, or dead-lettered
 * with the receiver's reason. Only then does it resolve; the caller may then commit past it.
 *
 * Invariants: a record is never dropped because attempts ran out (retryable outcomes are retried
 * forever); a dead-letter write is awaited before the records count as final; records the receiver
 * accepted are never sent again by this batch, except when an acknowledgement times out
 * (at-least-once). On abort it rejects with the signal's reason and the batch is not final.
 */
import type { AuditRecord } from '../audit/record.js';
import type { Clock } from '../clock.js';
import type { DeadLetterSink } from '../dead-letter/dead-letter.js';
import type { SinkStats, Stats } from '../observe/stats.js';
import type { Acknowledger, Credentials, SinkCodec, Transport } from '../sinks/sink.js';
import type { FailureLog } from './failure-log.js';
import type { Outcome, RejectedItem } from './outcome.js';
import type { RetryPolicy } from './retry-policy.js';

export const TOO_LARGE_DETAIL = 'too large for the receiver (HTTP 413)';

export interface BatchDeliveryContext {
  readonly name: string;
  readonly source: string;
  readonly codec: SinkCodec;
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
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    const outcome = await attemptOnce(ctx, pending, signal);
    const delayFor = (o: Outcome) => ctx.policy.delayFor(o, attempt, ctx.clock.now());
    switch (outcome.kind) {
      case 'delivered':
        succeeded(ctx, pending.length);
        return;
      case 'rejected':
        succeeded(ctx, 0);
        await deadLetter(ctx, pending, () => outcome.reason, signal);
        return;
      case 'split':
      case 'bisect': {
        if (pending.length === 1) {
          const detail = outcome.kind === 'split' ? TOO_LARGE_DETAIL : outcome.reason;
          succeeded(ctx, 0);
          await deadLetter(ctx, pending, () => detail, signal);
          return;
        }
        count(ctx.sink, outcome.kind);
        // Halves go one after the other so a sink that needs order (Loki) keeps it.
        const mid = Math.ceil(pending.length / 2);
        await deliverBatch(ctx, pending.slice(0, mid), signal);
        await deliverBatch(ctx, pending.slice(mid), signal);
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
        ctx.sink.delivered += pending.length - retry.length - rejected.length;
        if (retry.length === 0) {
          succeeded(ctx, 0);
          return;
        }
        pending = retry;
        await backoff(ctx, 'partial', outcome.retryReason, delayFor(outcome), signal);
        break;
      }
      case 'retry':
        await backoff(ctx, outcome.class, outcome.reason, delayFor(outcome), signal);
        break;
      case 'blocked': {
        const delay = delayFor(outcome);
        ctx.sink.blockedSinceMs ??= ctx.clock.now();
        ctx.sink.lastError = outcome.reason;
        count(ctx.sink, 'blocked');
        ctx.log.blocked(outcome.reason, delay);
        await ctx.clock.sleep(delay, signal);
        // Re-read token files just before the next attempt, so a fix made during the wait is used.
        await ctx.credentials?.refresh();
        break;
      }
      case 'awaiting_ack': {
        if (!ctx.acknowledger)
          throw new Error(`sink ${ctx.name}: codec asked for an ack but has no acknowledger`);
        if (await ctx.acknowledger.wait(outcome.ackId, signal)) {
          succeeded(ctx, pending.length);
          return;
        }
        await backoff(ctx, 'ack_timeout', ackTimeout.reason, delayFor(ackTimeout), signal);
        break;
      }
    }
  }
}

async function attemptOnce(
  ctx: BatchDeliveryContext,
  records: readonly AuditRecord[],
  signal: AbortSignal,
): Promise<Outcome> {
  const request = ctx.codec.encode(records);
  ctx.sink.requests++;
  ctx.sink.inFlight++;
  try {
    const reply = await ctx.transport.send(request, signal);
    return ctx.codec.classify(reply, records);
  } finally {
    ctx.sink.inFlight--;
  }
}

async function backoff(
  ctx: BatchDeliveryContext,
  retryClass: string,
  reason: string,
  delayMs: number,
  signal: AbortSignal,
): Promise<void> {
  count(ctx.sink, retryClass);
  ctx.sink.lastError = reason;
  ctx.log.retrying(reason, retryClass, delayMs);
  await ctx.clock.sleep(delayMs, signal);
}

function succeeded(ctx: BatchDeliveryContext, delivered: number): void {
  ctx.sink.delivered += delivered;
  ctx.sink.blockedSinceMs = undefined;
  ctx.sink.lastError = undefined;
  ctx.log.succeeded();
}

function count(sink: SinkStats, key: string): void {
  sink.retries[key] = (sink.retries[key] ?? 0) + 1;
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
 * Records count as final only once they are in the file. A write the disk keeps refusing ends with
 * `signal` (shutdown) by rejecting: the batch is then not final and stays in the journal.
 */
async function deadLetter(
  ctx: BatchDeliveryContext,
  records: readonly AuditRecord[],
  reasonOf: (i: number) => string,
  signal: AbortSignal,
): Promise<void> {
  if (records.length === 0) return;
  await ctx.deadLetter.write(
    records.map((r, i) => ({
      reason: 'rejected' as const,
      detail: reasonOf(i),
      source: ctx.source,
      sink: ctx.name,
      event_id: r.id,
      seq: r.seq,
      line: r.line,
      line_bytes: r.bytes,
      truncated: false,
    })),
    signal,
  );
  ctx.sink.rejected += records.length;
  ctx.stats.deadLettered += records.length;
}
