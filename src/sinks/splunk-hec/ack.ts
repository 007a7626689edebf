/**
 * Splunk HEC indexer acknowledgement: turns ackIds into "indexed" (true) or "give up, resend"
 * (false), or, when HEC cannot confirm acks at all, the outcome that stands for the request.
 *
 * Invariants:
 * - A wait resolves true only when a poll reply says `"acks":{"<id>":true}`. Poll failures and
 *   credential refusals never confirm anything; such waits end by timeout (false → the batch is
 *   sent again).
 * - A poll refused because ack cannot work as set up (code 14 "ACK is disabled", 10/11, a proxy's
 *   404/405) resolves the waits it asked about with ack-fallback.ts's outcome: delivered on HEC's
 *   200 (never re-sent: HEC accepted the batch and will index it), or blocked under ack.required.
 * - Each ackId is polled with the cookies that reached the indexer which handed it out (its route,
 *   from sticky-transport.ts): one poll per route per interval, asking for all of its ids at once.
 * - One poller loop per acknowledger, running only while ids are outstanding.
 * - All waiting goes through the injected Clock; `timeoutMs` is measured on it from `wait()`.
 * - A wait rejects with its signal's reason as soon as the signal aborts; close() stops the loop
 *   and rejects every pending wait with an AbortError. close() is idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { AckAnswer, Acknowledger, Transport } from '../../contract/sink.js';
import { ackUnavailable } from './ack-fallback.js';
import { ackRequest, readAckReply, type AckPollResult } from './ack-reply.js';
import { createAckPollReporter } from './ack-reporter.js';
import type { AckRoutes } from './sticky-transport.js';

export interface HecAcknowledgerOptions {
  readonly transport: Transport;
  /** The same X-Splunk-Request-Channel the events were sent with. */
  readonly channel: string;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  /** After this long without `true`, wait() resolves false. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** `required`: when HEC cannot confirm acks, block instead of counting the 200. Default `on`. */
  readonly mode?: 'on' | 'required';
  /** Where each ackId was handed out (the sticky transport); without it, polls carry no cookie. */
  readonly routes?: AckRoutes;
}

/** A channel GUID; ackIds are scoped to it, so use one per process for both codec and acknowledger. */
export function newChannelId(): string {
  return randomUUID();
}

interface Waiter {
  readonly ackId: number;
  /** The Cookie header that reached the indexer which handed out ackId ('' for none). */
  readonly route: string;
  readonly deadline: number;
  readonly resolve: (answer: AckAnswer) => void;
  readonly reject: (reason: unknown) => void;
  readonly detach: () => void;
}

export function createHecAcknowledger(options: HecAcknowledgerOptions): Acknowledger {
  const { transport, channel, clock, pollIntervalMs, timeoutMs, logger, routes } = options;
  const mode = options.mode ?? 'on';
  const waiters = new Set<Waiter>();
  const shutdown = new AbortController();
  let closing: Promise<void> | undefined;
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
  const settle = (waiter: Waiter, answer: AckAnswer): void => {
    remove(waiter);
    waiter.resolve(answer);
  };

  const pollRoute = async (route: string, group: readonly Waiter[]): Promise<void> => {
    const ids = [...new Set(group.map((w) => w.ackId))];
    let result: AckPollResult;
    try {
      const request = ackRequest(channel, ids, route === '' ? undefined : route);
      result = readAckReply(await transport.send(request, shutdown.signal));
    } catch (error) {
      if (shutdown.signal.aborted) return;
      result = { kind: 'failed', reason: String(error) };
    }
    if (result.kind === 'unsupported') {
      // Logged once per process by the delivery loop (as an unconfirmed delivery) or on every
      // attempt (as blocked), so the reporter stays quiet here.
      const answer = ackUnavailable('ack_poll_refused', result.reason, mode);
      for (const waiter of group) if (waiters.has(waiter)) settle(waiter, answer);
      return;
    }
    if (result.kind !== 'acks') return reporter.problem(result, ids.length);
    reporter.ok();
    const indexed = new Set(result.indexed);
    for (const waiter of group) if (waiters.has(waiter) && indexed.has(waiter.ackId)) settle(waiter, true);
  };

  const poll = async (): Promise<void> => {
    const byRoute = new Map<string, Waiter[]>();
    for (const waiter of waiters) byRoute.set(waiter.route, [...(byRoute.get(waiter.route) ?? []), waiter]);
    for (const [route, group] of byRoute) {
      if (shutdown.signal.aborted) return;
      await pollRoute(route, group);
    }
  };

  const expire = (now: number): void => {
    for (const waiter of [...waiters]) if (waiter.deadline <= now) settle(waiter, false);
  };

  const run = async (): Promise<void> => {
    let nextPollAt = clock.now() + pollIntervalMs;
    try {
      while (!shutdown.signal.aborted && waiters.size > 0) {
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
      if (shutdown.signal.aborted) return Promise.reject(abortError());
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      const route = routes?.takeRoute(ackId) ?? '';
      // Splunk numbers ackIds from 0 again after a restart: an older wait on a reused id (of the
      // same indexer) can no longer be confirmed, so its batch is sent again rather than credited
      // with the new one's ack.
      for (const old of [...waiters]) {
        if (old.ackId !== ackId || old.route !== route) continue;
        logger.warn('Splunk HEC reused an ackId (restart?); re-sending the older batch', {
          channel,
          ack_id: ackId,
        });
        settle(old, false);
      }
      return new Promise<AckAnswer>((resolve, reject) => {
        const onAbort = (): void => {
          remove(waiter);
          reject(signal.reason as Error);
        };
        const waiter: Waiter = {
          ackId,
          route,
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
    close() {
      closing ??= (async () => {
        shutdown.abort(abortError());
        nap?.abort();
        for (const waiter of [...waiters]) {
          remove(waiter);
          waiter.reject(abortError());
        }
        await loop;
      })();
      return closing;
    },
  };
}

function abortError(): Error {
  return new DOMException('Splunk HEC acknowledger closed', 'AbortError');
}
