/**
 * The Fluent Forward listener as an `Input` (see ../input.ts): Docker's `fluentd` log driver, and
 * any Fluent client, send requests; their records' lines become batches for ingest.
 *
 * Invariants:
 * - A request's `{"ack": chunk}` is written only in `settled('stored')` of the batch that holds every
 *   event of that request (one request, or several consecutive requests of one connection, make a
 *   batch). `unstored`, a protocol error or shutdown: no ack, so the client re-sends.
 * - Batches are handed out one at a time and the next waits until the previous is settled, so acks
 *   leave each connection in request order.
 * - Memory is bounded: no request over `max_request_bytes` (checked on msgpack headers before the
 *   payload arrives, and on gzip output while inflating); each connection is paused while
 *   `queue_high_water_bytes` of its requests wait for the journal; `max_connections`; partial
 *   lines bounded by `max_line_bytes` and `partial_timeout`.
 * - A bad connection is closed with a log line naming the peer; others are not affected.
 * - On `signal`: stop accepting and reading, hand out the requests already received, then end the
 *   connections (acks already written are flushed first). `close()` is idempotent.
 */
import type { Server, Socket } from 'node:net';
import { Encoder } from '@msgpack/msgpack';
import { systemClock } from '../../clock.js';
import { createLogger } from '../../observe/logger.js';
import type { Input, InputBatch, InputLine } from '../input.js';
import { frameCutLine, type FramedLine, type LinePosition } from '../line-framer.js';
import {
  attachConnection,
  type ConnectionContext,
  type ForwardConnection,
  type QueuedRequest,
} from './connection.js';
import { createRequestDecoder } from './decode-request.js';
import { forwardEventId } from './event-id.js';
import { createForwardExtensionCodec } from './event-time.js';
import { createServerHandshake } from './handshake.js';
import { peerOf, startListener } from './listener.js';
import { forwardDefaults, parseListenAddress, type ForwardOptions, type ListenAddress } from './options.js';
import { createPartialAssembler, type JoinedBody } from './partial-assembler.js';
import { recordLine } from './record-line.js';

export type { ForwardOptions, ListenAddress } from './options.js';

export interface ForwardCounters {
  connections: number;
  requests: number;
  events: number;
  heartbeats: number;
  /** Acks written (each after its batch was settled `stored`). */
  acks: number;
  protocol_errors: number;
  /** Records skipped because their Docker `source` stream is not in `streams`. */
  filtered_stream: number;
  partial_timeouts: number;
  /** Request bytes held now by all connections (being decoded, queued, or in an unsettled batch). */
  held_bytes: number;
}

export interface ForwardInput extends Input {
  /** Starts listening (once); resolves with the bound address (the real port when 0 was asked). */
  listen(): Promise<ListenAddress>;
  readonly counters: Readonly<ForwardCounters>;
}

export function createForwardInput(options: ForwardOptions = {}): ForwardInput {
  const o = {
    ...forwardDefaults,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as typeof forwardDefaults & ForwardOptions;
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? createLogger({ level: 'info', format: 'json' });
  const address = parseListenAddress(o.address);
  const encoder = new Encoder({ extensionCodec: createForwardExtensionCodec() });
  const decoder = createRequestDecoder({ maxRequestBytes: o.max_request_bytes });
  const partials = createPartialAssembler({
    maxLineBytes: o.max_line_bytes,
    prefixBytes: o.prefix_bytes,
    timeoutMs: o.partial_timeout,
  });
  const counters: ForwardCounters = {
    connections: 0,
    requests: 0,
    events: 0,
    heartbeats: 0,
    acks: 0,
    protocol_errors: 0,
    filtered_stream: 0,
    partial_timeouts: 0,
    held_bytes: 0,
  };
  const connections = new Set<ForwardConnection>();
  let queue: QueuedRequest[] = [];
  const closing = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;
  let server: Server | undefined;
  let serverClosed: Promise<void> = Promise.resolve();
  let listening: Promise<ListenAddress> | undefined;
  let closed: Promise<void> | undefined;

  const framerOptions = { maxLineBytes: o.max_line_bytes, prefixBytes: o.prefix_bytes };
  const frameBody = (body: JoinedBody, position: LinePosition): FramedLine =>
    body.kind === 'whole'
      ? frameCutLine(body.line, position, framerOptions)
      : { kind: 'too_long', prefix: body.prefix, bytes: body.bytes, ...position };

  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const context: ConnectionContext = {
    decoder,
    encoder,
    logger,
    inputName: o.name,
    maxRequestBytes: o.max_request_bytes,
    highWaterBytes: o.queue_high_water_bytes,
    maxHeldBytes: o.max_queued_bytes,
    heldBytes: () => counters.held_bytes,
    hold(delta) {
      counters.held_bytes += delta;
    },
    now: () => clock.now(),
    counters,
    isStopping: () => stopping,
    enqueue(request) {
      counters.requests++;
      queue.push(request);
      notify();
    },
    onClosed(connection) {
      connections.delete(connection);
      notify();
    },
    linesOf(connection, request, offset) {
      const lines: InputLine[] = [];
      for (const [index, record] of request.records.entries()) {
        counters.events++;
        const position = { lineNumber: connection.nextLineNumber(), offset };
        const found = recordLine(request.tag, record, { lineKey: o.line_key, streams: o.streams });
        if (found.kind === 'filtered') {
          counters.filtered_stream++;
        } else if (found.kind === 'line' || found.kind === 'no_line') {
          const bytes = found.kind === 'line' ? found.bytes : found.json;
          lines.push({
            framed: frameCutLine(bytes, position, framerOptions),
            metadata: found.metadata,
            ...(request.chunk !== undefined ? { id: forwardEventId(request.chunk, index, bytes) } : {}),
            ...(found.kind === 'no_line'
              ? { rejected: { reason: 'forward_no_line', detail: found.detail } }
              : {}),
          });
        } else {
          // A joined line has no stable id: its pieces came in several requests, and after a
          // restart the assembler starts empty.
          const joined = partials.add(found, { source: connection.source, ...position }, clock.now());
          if (joined) lines.push({ framed: frameBody(joined.body, position), metadata: joined.metadata });
        }
      }
      return lines;
    },
  };

  /** Expires partial lines whose last piece never came, and idle connections. */
  const sweep = async (): Promise<void> => {
    const timeouts = [o.partial_timeout, o.idle_timeout].filter((t) => t > 0);
    if (timeouts.length === 0) return; // both off: partial lines are bounded by eviction only
    const interval = Math.max(10, Math.min(...timeouts) / 4);
    for (;;) {
      try {
        await clock.sleep(interval, closing.signal);
      } catch {
        return;
      }
      const now = clock.now();
      for (const expired of partials.expire(now)) {
        counters.partial_timeouts++;
        const { source, lineNumber, offset } = expired.origin;
        const line: InputLine = {
          framed: frameBody(expired.body, { lineNumber, offset }),
          metadata: expired.metadata,
          rejected: { reason: 'partial_timeout', detail: expired.detail },
        };
        logger.warn(
          `forward: a partial line from ${source} is incomplete after ${o.partial_timeout} ms; it is dead-lettered`,
          { input: o.name, detail: expired.detail },
        );
        context.enqueue({ connection: undefined, source, lines: [line], bytes: 0 });
      }
      if (o.idle_timeout > 0) {
        for (const connection of connections) {
          if (!connection.busy() && now - connection.lastActivity() >= o.idle_timeout)
            connection.close(`idle for ${o.idle_timeout} ms`, 'info');
        }
      }
    }
  };

  const onSocket = (socket: Socket): void => {
    const peer = peerOf(socket);
    if (stopping) {
      socket.destroy();
      return;
    }
    counters.connections++;
    socket.setKeepAlive(true, 60_000);
    const handshake =
      o.shared_key !== undefined ? createServerHandshake(o.shared_key, o.self_hostname) : undefined;
    connections.add(attachConnection(socket, peer, context, handshake));
    logger.debug(`forward: connection from ${peer}`, { input: o.name, peer });
  };

  const listen = (): Promise<ListenAddress> => {
    listening ??= (async () => {
      const listener = await startListener({
        address,
        ...(o.tls ? { tls: o.tls } : {}),
        maxConnections: o.max_connections,
        logger,
        inputName: o.name,
        onSocket,
      });
      server = listener.server;
      serverClosed = listener.closed;
      if (stopping) listener.server.close(); // close() came while binding
      void sweep();
      return listener.bound;
    })();
    return listening;
  };

  /** Stops accepting and reading; what was received is still handed out. */
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server?.close();
    for (const connection of connections) connection.refreshFlow();
    notify();
  };

  /** Takes the oldest request and the requests of the same connection queued after it, in order. */
  const takeBatch = (): QueuedRequest[] => {
    const first = queue[0]!;
    const taken: QueuedRequest[] = [first];
    const rest: QueuedRequest[] = [];
    let lines = first.lines.length;
    let i = 1;
    for (; i < queue.length && first.connection; i++) {
      const next = queue[i]!;
      if (next.connection !== first.connection) {
        rest.push(next);
        continue;
      }
      // Stop at the first request of this connection that does not fit: taking a later one
      // would ack it before the one left behind.
      if (lines + next.lines.length > o.max_batch_lines) break;
      taken.push(next);
      lines += next.lines.length;
    }
    rest.push(...queue.slice(i));
    queue = rest;
    return taken;
  };

  const batchOf = (requests: QueuedRequest[], onSettled: () => void): InputBatch => {
    let done = false;
    return {
      source: requests[0]!.source,
      lines: requests.flatMap((r) => r.lines),
      // Only a client that asked for an ack re-sends what got none (a partial timeout has no client).
      redelivers: requests.every((r) => r.chunk !== undefined),
      settled(outcome) {
        if (done) return;
        done = true;
        for (const request of requests) request.connection?.settled(request, outcome);
        // Connections paused by the total (not their own share) may read again.
        for (const connection of connections) connection.refreshFlow();
        onSettled();
      },
    };
  };

  return {
    name: o.name,
    // No ack for a batch not stored: a client that asked for one sends it again (see batchOf).
    redelivers: true,
    counters,
    listen,
    async *batches(signal) {
      await listen();
      const onAbort = () => stop();
      if (signal.aborted) stop();
      else signal.addEventListener('abort', onAbort, { once: true });
      try {
        for (;;) {
          if (queue.length === 0) {
            if (stopping) {
              // Requests being decoded (e.g. inflating) when the signal came are still handed out.
              await Promise.all([...connections].map((c) => c.drained()));
              if (queue.length === 0) break;
            } else {
              await new Promise<void>((resolve) => (wake = resolve));
              continue;
            }
          }
          let release!: () => void;
          const settled = new Promise<void>((resolve) => (release = resolve));
          yield batchOf(takeBatch(), release);
          await settled;
        }
        for (const connection of connections) connection.end();
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    close() {
      closed ??= (async () => {
        stop();
        closing.abort();
        if (listening) await listening.catch(() => undefined);
        server?.close();
        for (const connection of connections) connection.end();
        await serverClosed;
      })();
      return closed;
    },
  };
}
