/**
 * The base of every test receiver: a real node:http server on 127.0.0.1, port 0, that records
 * each request (body decompressed per Content-Encoding) and answers from a script.
 *
 * Protocol receivers (loki-receiver.ts, bulk-receiver.ts, hec-receiver.ts) wrap this one with a
 * decoder and the protocol's default reply. No HTTP-mocking library: the code under test talks to
 * a real socket. With `tls` (a key and certificate, e.g. from test/helpers/test-certificates.ts) it
 * serves https instead.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Body after undoing Content-Encoding gzip/deflate. */
  readonly body: Buffer;
  /** Body exactly as it arrived on the wire. */
  readonly rawBody: Buffer;
}

export type ScriptedReply =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | object;
    }
  /** Destroy the connection without answering (ECONNRESET for the client). */
  | { readonly reset: true }
  /** Never answer; the client must time out. The socket is destroyed when the receiver closes. */
  | { readonly hang: true }
  /** Answer only when the test calls the returned release(); for "slow reply" tests. */
  | { readonly gate: Promise<void>; readonly then: ScriptedReply };

export type ReplyFn = (request: ReceivedRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Queue replies for the next requests, in order; after the queue, `defaultReply` answers. */
  script(...replies: ScriptedReply[]): void;
  setDefaultReply(reply: ReplyFn): void;
  /** Resolves once at least `count` requests have arrived (rejects after timeoutMs of real time). */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  /** Stop listening (connections refused) while keeping the port, then `up()` listens again. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface ScriptedReceiverOptions {
  /** Serve https with this key and certificate (PEM). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
}

export async function startScriptedReceiver(
  defaultReply: ReplyFn,
  options: ScriptedReceiverOptions = {},
): Promise<ScriptedReceiver> {
  const requests: ReceivedRequest[] = [];
  const queue: ScriptedReply[] = [];
  let fallback = defaultReply;
  let waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<Socket>();

  const answer = async (res: http.ServerResponse, reply: ScriptedReply): Promise<void> => {
    if ('gate' in reply) {
      await reply.gate;
      return answer(res, reply.then);
    }
    if ('reset' in reply) {
      res.socket?.destroy();
      return;
    }
    if ('hang' in reply) return;
    const body =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-length': Buffer.byteLength(body), ...reply.headers });
    res.end(body);
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const encoding = String(req.headers['content-encoding'] ?? '');
      const body =
        encoding === 'gzip' ? gunzipSync(rawBody) : encoding === 'deflate' ? inflateSync(rawBody) : rawBody;
      const request: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        rawBody,
      };
      const index = requests.length;
      requests.push(request);
      const ready = waiters.filter((w) => requests.length >= w.count);
      waiters = waiters.filter((w) => requests.length < w.count);
      for (const w of ready) w.resolve();
      const next = queue.shift();
      Promise.resolve(next ?? fallback(request, index))
        .then((reply) => answer(res, reply))
        .catch((error: unknown) => {
          res.writeHead(599);
          res.end(String(error));
        });
    });
  };
  const server: http.Server = options.tls
    ? https.createServer(options.tls, onRequest)
    : http.createServer(onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });

  await listen(0);
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    script: (...replies) => queue.push(...replies),
    setDefaultReply: (reply) => {
      fallback = reply;
    },
    waitForRequests: (count, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        if (requests.length >= count) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`receiver got ${requests.length} requests, expected ${count}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    down: stop,
    up: () => listen(port),
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
