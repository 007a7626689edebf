/**
 * Splunk HEC indexer acknowledgement: turns ackIds into "indexed" (true) or "give up, resend"
 * (false).
 *
 * Invariants:
 * - A wait resolves true only when a poll reply says `"acks":{"<id>":true}`. Poll failures and
 *   refusals never confirm anything; such waits end by timeout (false → the batch is sent again).
 * - One poller loop per acknowledger, running only while ids are outstanding; each poll asks for
 *   every outstanding id at once.
 * - All waiting goes through the injected Clock; `timeoutMs` is measured on it from `wait()`.
 * - A wait rejects with its signal's reason as soon as the signal aborts; close() stops the loop
 *   and rejects every pending wait with an AbortError. close() is idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { Acknowledger, Transport } from '../sink.js';
import { ackRequest, readAckReply } from './ack-reply.js';
import { createAckPollReporter } from './ack-reporter.js';

export interface HecAcknowledgerOptions {
  readonly transport: Transport;
  /** The same X-Splunk-Request-Channel the events were sent with. */
  readonly channel: string;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  /** After this long without `true`, wait() resolves false. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A channel GUID; ackIds are scoped to it, so use one per process for both codec and acknowledger. */
export function newChannelId(): string {
  return randomUUID();
}

interface Waiter {
  readonly ackId: number;
  readonly deadline: number;
  readonly resolve: (indexed: boolean) => void;
  readonly reject: (reason: unknown) => void;
  readonly detach: () => void;
}

export function createHecAcknowledger(options: HecAcknowledgerOptions): Acknowledger {
  const { transport, channel, clock, pollIntervalMs, timeoutMs, logger } = options;
  const waiters = new Set<Waiter>();
  const closing = new AbortController();
  const reporter = createAckPollReporter(logger, clock, channel);
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  /** Aborted to cut the loop's current sleep short (last wait gone, or close). */
  let nap: AbortController | undefined;

  const remove = (waiter: Waiter): void => {
    waiters.delete(waiter);
    waiter.detach();
    if (waiters.size === 0) nap?.abort();
  };
  const settle = (waiter: Waiter, indexed: boolean): void => {
    remove(waiter);
    waiter.resolve(indexed);
  };

  const poll = async (): Promise<void> => {
    const ids = [...new Set(Array.from(waiters, (w) => w.ackId))];
    let result;
    try {
      result = readAckReply(await transport.send(ackRequest(channel, ids), closing.signal));
    } catch (error) {
      if (closing.signal.aborted) return;
      result = { kind: 'failed', reason: String(error) } as const;
    }
    if (result.kind !== 'acks') return reporter.problem(result, ids.length);
    reporter.ok();
    const indexed = new Set(result.indexed);
    for (const waiter of [...waiters]) if (indexed.has(waiter.ackId)) settle(waiter, true);
  };

  const expire = (now: number): void => {
    for (const waiter of [...waiters]) if (waiter.deadline <= now) settle(waiter, false);
  };

  const run = async (): Promise<void> => {
    let nextPollAt = clock.now() + pollIntervalMs;
    try {
      while (!closing.signal.aborted && waiters.size > 0) {
        const now = clock.now();
        let wakeAt = nextPollAt;
        for (const waiter of waiters) wakeAt = Math.min(wakeAt, waiter.deadline);
        if (wakeAt > now) {
          nap = new AbortController();
          await clock.sleep(wakeAt - now, nap.signal).catch(() => undefined);
          nap = undefined;
          continue;
        }
        // Poll before expiring, so an id whose deadline falls on a poll gets that last chance.
        if (now >= nextPollAt) {
          await poll();
          nextPollAt = clock.now() + pollIntervalMs;
        }
        expire(clock.now());
      }
    } finally {
      // Synchronous with the exit check above: a wait() arriving after it starts a fresh loop.
      running = false;
    }
  };

  return {
    wait(ackId, signal) {
      if (closing.signal.aborted) return Promise.reject(abortError());
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      // Splunk numbers ackIds from 0 again after a restart: an older wait on a reused id can no
      // longer be confirmed, so its batch is sent again rather than credited with the new one's ack.
      for (const old of [...waiters]) {
        if (old.ackId !== ackId) continue;
        logger.warn('Splunk HEC reused an ackId (restart?); re-sending the older batch', {
          channel,
          ack_id: ackId,
        });
        settle(old, false);
      }
      return new Promise<boolean>((resolve, reject) => {
        const onAbort = (): void => {
          remove(waiter);
          reject(signal.reason as Error);
        };
        const waiter: Waiter = {
          ackId,
          deadline: clock.now() + timeoutMs,
          resolve,
          reject,
          detach: () => signal.removeEventListener('abort', onAbort),
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.add(waiter);
        if (!running) {
          running = true;
          loop = run();
        }
      });
    },
    async close() {
      if (!closing.signal.aborted) {
        closing.abort(abortError());
        nap?.abort();
        for (const waiter of [...waiters]) {
          remove(waiter);
          waiter.reject(abortError());
        }
      }
      await loop;
    },
  };
}

function abortError(): Error {
  return new DOMException('Splunk HEC acknowledger closed', 'AbortError');
}
