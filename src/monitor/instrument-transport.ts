/**
 * Wraps a Transport so every request's duration lands in the request-duration histogram,
 * labelled by what came back (HTTP status class, network_error, timeout). Time is measured with
 * performance.now(): it is a measurement, not a decision, so it needs no injected clock.
 */
import { performance } from 'node:perf_hooks';
import type { Transport } from '../contract/sink.js';
import { replyClass, type ReplyClass } from '../observe/stats.js';

export function instrumentTransport(
  transport: Transport,
  observe: (seconds: number, statusClass: ReplyClass) => void,
): Transport {
  return {
    async send(request, signal) {
      const started = performance.now();
      const reply = await transport.send(request, signal);
      observe((performance.now() - started) / 1000, replyClass(reply));
      return reply;
    },
    close: () => transport.close(),
  };
}
