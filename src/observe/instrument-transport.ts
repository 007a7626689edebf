/**
 * Wraps a Transport so every request's duration lands in the request-duration histogram,
 * labelled by what came back (HTTP status class, network_error, timeout). Time is measured with
 * performance.now(): it is a measurement, not a decision, so it needs no injected clock.
 */
import { performance } from 'node:perf_hooks';
import type { HttpReply } from '../deliver/outcome.js';
import type { Transport } from '../sinks/sink.js';

export function instrumentTransport(
  transport: Transport,
  observe: (seconds: number, outcome: string) => void,
): Transport {
  return {
    async send(request, signal) {
      const started = performance.now();
      const reply = await transport.send(request, signal);
      observe((performance.now() - started) / 1000, replyLabel(reply));
      return reply;
    },
    close: () => transport.close(),
  };
}

function replyLabel(reply: HttpReply): string {
  if (reply.kind === 'response') return `${Math.floor(reply.status / 100)}xx`;
  return reply.kind;
}
