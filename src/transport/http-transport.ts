/**
 * The one HTTP client of every sink: an undici Pool per sink.
 *
 * Guarantees: send() never throws for a network problem, a TLS failure or a timeout (those are
 * HttpReply values); it rejects only with the caller's abort reason. The response body is always
 * read to the end (an unread body holds the connection), keeping at most MAX_BODY_BYTES of it
 * (a longer one is marked `truncated`, so a codec never mistakes a cut reply for a whole one).
 * TLS verification is on unless the user turns it off. Neither credentials nor extra headers ever
 * appear in the errors it returns or throws, nor in the reply bodies and headers it returns: all
 * receiver text passes the secret scrubber here (scrubbed-reply.ts), before any sink can turn it
 * into a reason. A URL with user:password@ is refused (config/check-sink.ts refuses it first).
 */
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { Pool } from 'undici';
import type { TlsConfig } from '../config/types.js';
import { linkedAbort } from '../linked-abort.js';
import type { Credentials, SinkRequest, Transport } from '../contract/sink.js';
import { explainNetworkError } from './network-words.js';
import type { HttpReply } from '../contract/outcome.js';
import { scrubReply } from './scrubbed-reply.js';
import { createSecretScrubber } from './secret-scrubber.js';

// Async gzip runs on the libuv threadpool, so compressing a large batch does not stall the loop.
const gzip = promisify(gzipCallback);

/** Receivers' error bodies are short; anything past this is read and thrown away. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Extra header values are scrubbed as possible secrets only from this length: they are not declared
 * secrets (a tenant, a routing tag), and scrubbing "1" would wreck every status code in a reason.
 */
const MIN_HEADER_SECRET_CHARS = 4;

export interface HttpTransportOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly gzip: boolean;
  readonly tls: TlsConfig;
  readonly headers?: Readonly<Record<string, string>>;
  readonly credentials?: Credentials;
  /** Connections in the pool; the sink's max_in_flight. */
  readonly connections?: number;
  /** Reply bytes kept (default MAX_BODY_BYTES); a longer reply comes back `truncated`. */
  readonly maxBodyBytes?: number;
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = parseBaseUrl(options.url);
  const prefix = base.pathname.replace(/\/+$/, '');
  const extraHeaders = lowerCaseKeys(options.headers ?? {});
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const pool = new Pool(base.origin, {
    connections: Math.max(1, options.connections ?? 1),
    connect: {
      ...readTlsFiles(options.tls),
      rejectUnauthorized: !options.tls.insecure_skip_verify,
      ...(options.tls.server_name ? { servername: options.tls.server_name } : {}),
      timeout: Math.min(options.timeoutMs, 10_000),
    },
  });
  let closing: Promise<void> | undefined;

  // The credentials' secrets (current and rotated-out ones) and every extra header value, also
  // without its "Scheme " prefix: a receiver or proxy that echoes them must not put them in our logs.
  const headerSecrets = Object.values(extraHeaders)
    .flatMap((value) => [value, value.slice(value.indexOf(' ') + 1)])
    .filter((value) => value.length >= MIN_HEADER_SECRET_CHARS);
  const scrubber = createSecretScrubber(() => [...headerSecrets, ...(options.credentials?.secrets() ?? [])]);

  return {
    async send(request: SinkRequest, signal: AbortSignal): Promise<HttpReply> {
      signal.throwIfAborted();
      const headers: Record<string, string> = {
        ...extraHeaders,
        ...lowerCaseKeys(request.headers),
        ...lowerCaseKeys(options.credentials?.headers() ?? {}),
      };
      let body: Uint8Array = request.body;
      if (options.gzip && body.byteLength > 0) {
        body = await gzip(body);
        headers['content-encoding'] = 'gzip';
      }
      signal.throwIfAborted();

      // Our own timer (cleared when done) rather than AbortSignal.timeout, whose timer outlives
      // every request; `timedOut` tells a timeout (a value) from the caller's abort (a rejection).
      const call = linkedAbort(signal);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        call.abort(new Error('request timed out'));
      }, options.timeoutMs);
      try {
        const response = await pool.request({
          path: prefix + request.path,
          method: request.method ?? 'POST',
          headers,
          body,
          signal: call.signal,
        });
        const { text, truncated } = await readCapped(response.body, maxBodyBytes);
        // The body ends up in log lines and dead-letter details: never with our secrets in it.
        return scrubReply(
          {
            kind: 'response',
            status: response.statusCode,
            headers: response.headers,
            body: text,
            ...(truncated ? { truncated } : {}),
          },
          scrubber,
        );
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (timedOut || isUndiciTimeout(error)) return { kind: 'timeout', afterMs: options.timeoutMs };
        return scrubReply(networkError(error, base.origin + prefix), scrubber);
      } finally {
        clearTimeout(timer);
        call.dispose();
      }
    },
    close() {
      // destroy, not close: by the time a sink closes its transport nothing it cares about is in
      // flight, and a hanging receiver must not hold shutdown.
      closing ??= pool.destroy().catch(() => undefined);
      return closing;
    },
  };
}

function parseBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The text is not echoed: a malformed URL may still carry a password.
    throw new Error('sink url is not a valid URL');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new Error(
      `sink url ${parsed.protocol}//${parsed.host} must not contain credentials (user:pass@); use the sink's auth settings`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`sink url must be http:// or https://, got ${parsed.protocol}//`);
  }
  return parsed;
}

function readTlsFiles(tls: TlsConfig): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (label: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(
        `cannot read tls.${label} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`,
      );
    }
  };
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const ca = read('ca_file', tls.ca_file);
  const cert = read('cert_file', tls.cert_file);
  const key = read('key_file', tls.key_file);
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  return out;
}

async function readCapped(
  body: AsyncIterable<Buffer>,
  max: number,
): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  for await (const chunk of body) {
    if (kept + chunk.length > max) truncated = true;
    if (kept >= max) continue;
    const part = kept + chunk.length > max ? chunk.subarray(0, max - kept) : chunk;
    chunks.push(part);
    kept += part.length;
  }
  return { text: Buffer.concat(chunks, kept).toString('utf8'), truncated };
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function isUndiciTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** The error in human words where we know them (wrong port, TLS); the caller scrubs the result. */
function networkError(error: unknown, url: string): HttpReply {
  const described = describe(error);
  const { code, message } =
    explainNetworkError(url, { name: (error as Error | undefined)?.name, ...described }) ?? described;
  return { kind: 'network_error', code, message };
}
// Connect errors may be an AggregateError (one per address tried) or wrap the cause.
function describe(error: unknown): { code: string; message: string } {
  if (!(error instanceof Error)) return { code: 'UNKNOWN', message: String(error) };
  const withCode = error as Error & { code?: unknown; cause?: unknown; errors?: unknown };
  const inner = Array.isArray(withCode.errors) ? (withCode.errors as unknown[])[0] : withCode.cause;
  const code =
    typeof withCode.code === 'string'
      ? withCode.code
      : inner instanceof Error && typeof (inner as { code?: unknown }).code === 'string'
        ? String((inner as { code?: unknown }).code)
        : 'UNKNOWN';
  const message = error.message || (inner instanceof Error ? inner.message : '') || code;
  return { code, message };
}
