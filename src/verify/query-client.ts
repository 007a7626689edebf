/**
 * The HTTP client `verify` queries a sink with (Elasticsearch, Loki): JSON in, JSON out, one
 * request at a time. TLS verification is on unless --insecure; credentials go in headers only, and
 * every text that reaches an error message passes the transport's secret scrubber, so a receiver
 * echoing a token never puts it on the terminal.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { createSecretScrubber } from '../transport/secret-scrubber.js';

export interface QueryConnection {
  /** Base URL (http or https), without credentials; a path prefix is kept. */
  readonly url: string;
  /** Authorization and tenant headers (secrets). */
  readonly headers: Readonly<Record<string, string>>;
  /** Secret texts to keep out of messages (passwords, tokens). */
  readonly secrets: readonly string[];
  readonly insecure: boolean;
  readonly caFile?: string;
  readonly timeoutMs: number;
}

export class QueryError extends Error {}

export interface QueryReply {
  readonly status: number;
  readonly body: unknown;
}

export interface QueryClient {
  /** Resolves with any HTTP status; rejects with a QueryError for a network failure or a body that is not JSON. */
  send(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<QueryReply>;
  /** A message for an unexpected reply, scrubbed of secrets. */
  describe(reply: QueryReply): string;
  close(): Promise<void>;
}

const EXCERPT_CHARS = 300;

export function createQueryClient(connection: QueryConnection): QueryClient {
  let base: URL;
  try {
    base = new URL(connection.url);
  } catch {
    throw new QueryError('the sink URL is not a valid URL');
  }
  if (base.username !== '' || base.password !== '') {
    throw new QueryError(
      'the sink URL must not contain credentials (user:pass@): use --user and --password-file',
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new QueryError(`the sink URL must be http:// or https://, got ${base.protocol}//`);
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  let ca: Buffer | undefined;
  if (connection.caFile !== undefined) {
    try {
      ca = readFileSync(connection.caFile);
    } catch (error) {
      throw new QueryError(
        `cannot read --ca-file ${connection.caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
  }
  const agent = new Agent({
    connect: { rejectUnauthorized: !connection.insecure, ...(ca ? { ca } : {}) },
    headersTimeout: connection.timeoutMs,
    bodyTimeout: connection.timeoutMs,
  });
  const scrubber = createSecretScrubber(() => connection.secrets);
  const scrub = (text: string): string => scrubber.scrub(text);

  return {
    async send(method, path, body) {
      let response;
      try {
        response = await request(base.origin + prefix + path, {
          method,
          dispatcher: agent,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...connection.headers,
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw new QueryError(
          scrub(
            `${method} ${base.origin}${prefix}${path.split('?')[0]}: ${e.code ?? ''} ${e.message}`.trim(),
          ),
        );
      }
      const text = await response.body.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : JSON.parse(text);
      } catch {
        if (response.statusCode < 300) {
          throw new QueryError(
            scrub(`${method} ${path.split('?')[0]}: the answer is not JSON: ${text.slice(0, EXCERPT_CHARS)}`),
          );
        }
      }
      return { status: response.statusCode, body: parsed };
    },
    describe(reply) {
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      return scrub(`HTTP ${reply.status}: ${text.slice(0, EXCERPT_CHARS)}`);
    },
    close: () => agent.close(),
  };
}
