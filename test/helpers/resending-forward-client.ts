/**
 * A Fluent Forward client that behaves as the protocol asks of one that wants no loss: every
 * request carries an `option.chunk`, stays pending until `{"ack": chunk}` comes back, and when the
 * connection drops it reconnects and re-sends every pending request (fluent-logger-golang keeps a
 * pending message and re-sends it the same way). Written over node:net with @msgpack/msgpack rather
 * than with @fluent-org/logger so a test controls exactly what is in flight when the server dies,
 * and can count it: `disconnects` records which requests had no ack when each connection ended.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { decodeMultiStream, encode } from '@msgpack/msgpack';

export interface ForwardRequest {
  readonly chunk: string;
  /** The encoded request, sent as is (and again after a reconnect). */
  readonly bytes: Uint8Array;
}

/** A Message-mode request `[tag, time, record, {chunk}]`: Docker's fluentd driver's way. */
export function messageRequest(
  tag: string,
  timeSeconds: number,
  record: Record<string, unknown>,
): ForwardRequest {
  const chunk = randomBytes(16).toString('base64');
  return { chunk, bytes: encode([tag, timeSeconds, record, { chunk }]) };
}

export interface ResendingClientOptions {
  readonly host: string;
  readonly port: number;
  /** At most this many requests without an ack at a time. */
  readonly window: number;
  /** Gives up (rejects) when everything is not acked by then. */
  readonly timeoutMs: number;
  /** Delay between connection attempts while the server is down. */
  readonly retryMs?: number;
  /** Called on each ack, with the number of acks so far. */
  readonly onAck?: (acked: number) => void;
}

export interface ResendingClient {
  /** Resolves once every request is acked (then the connection is closed). */
  readonly done: Promise<void>;
  /** Each connection that ended before the last ack: acks received so far, and the chunks without one. */
  readonly disconnects: { readonly acked: number; readonly unacked: readonly string[] }[];
  /** Requests written more than once (re-sent after a reconnect). */
  resent(): number;
  /** Closes the connection and stops reconnecting (for after hooks). */
  close(): void;
}

export function sendWithResend(
  requests: readonly ForwardRequest[],
  options: ResendingClientOptions,
): ResendingClient {
  const pending = new Map<string, number>(); // chunk → index in requests, in send order
  const disconnects: { acked: number; unacked: string[] }[] = [];
  let next = 0;
  let acked = 0;
  let resent = 0;
  let socket: Socket | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const deadline = setTimeout(() => {
    stop();
    settle.reject(
      new Error(
        `forward client: ${requests.length - acked} of ${requests.length} requests not acked in ${options.timeoutMs} ms`,
      ),
    );
  }, options.timeoutMs);

  const stop = () => {
    closed = true;
    clearTimeout(deadline);
    clearTimeout(retry);
    socket?.destroy();
  };

  const fill = (s: Socket) => {
    while (pending.size < options.window && next < requests.length) {
      const request = requests[next]!;
      pending.set(request.chunk, next++);
      s.write(request.bytes);
    }
  };

  const open = () => {
    if (closed) return;
    const s = connect({ host: options.host, port: options.port });
    socket = s;
    let connected = false;
    s.once('connect', () => {
      connected = true;
      // Everything sent on the lost connection without an ack, again, in its order.
      for (const index of pending.values()) {
        resent++;
        s.write(requests[index]!.bytes);
      }
      fill(s);
      void readAcks(s);
    });
    s.on('error', () => undefined); // 'close' follows and decides
    s.once('close', () => {
      if (closed) return;
      if (connected) disconnects.push({ acked, unacked: [...pending.keys()] });
      retry = setTimeout(open, options.retryMs ?? 25);
    });
  };

  const readAcks = async (s: Socket) => {
    try {
      for await (const reply of decodeMultiStream(s)) {
        const chunk = (reply as { ack?: unknown } | null)?.ack;
        if (typeof chunk !== 'string' || !pending.delete(chunk)) continue; // an ack for a re-sent copy
        acked++;
        options.onAck?.(acked);
        if (acked === requests.length) {
          stop();
          settle.resolve();
          return;
        }
        fill(s);
      }
    } catch {
      // The connection broke mid-reply: 'close' reconnects.
    }
  };

  if (requests.length === 0) {
    stop();
    settle.resolve();
  } else open();
  return { done, disconnects, resent: () => resent, close: stop };
}
