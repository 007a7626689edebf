/**
 * The requests of one sink's online check, sent through that sink's own transport: the same TLS
 * settings, credentials, extra headers and tenant a run uses, so what passes here passes there.
 *
 * Invariants:
 * - The first reply records that the receiver is reachable and, over https, that TLS verified
 *   (or a warning when verification is off).
 * - A request that gets no reply is one `fail` finding naming the address, or the TLS error, or
 *   the time waited; the probe then stops (its later steps would only repeat it).
 * - Reply bodies quoted in findings are flattened and cut short; the transport has already
 *   scrubbed the sink's secrets from them.
 */
import type { HttpSinkCommon } from '../config/types.js';
import type { HttpReply } from '../contract/outcome.js';
import { cut } from '../sinks/elasticsearch/reason-text.js';
import type { SinkRequest, Transport } from '../contract/sink.js';
import type { Findings } from './findings.js';

export type Answer = Extract<HttpReply, { kind: 'response' }>;

export interface ProbeSession {
  readonly findings: Findings;
  /** The reply, or undefined when none came (then already recorded as a failure). */
  send(request: SinkRequest): Promise<Answer | undefined>;
}

/** Error codes of a TLS handshake that failed (certificate, name, protocol). */
const TLS_ERROR = /CERT|SSL|TLS|SIGNATURE|EPROTO/;
const EXCERPT_CHARS = 200;

export function createProbeSession(
  config: HttpSinkCommon,
  transport: Transport,
  signal: AbortSignal,
  findings: Findings,
): ProbeSession {
  const url = new URL(config.url);
  const https = url.protocol === 'https:';
  const address = url.port ? url.host : `${url.host}:${https ? 443 : 80}`;
  let reached = false;

  return {
    findings,
    async send(request) {
      const reply = await transport.send(request, signal);
      if (reply.kind === 'timeout') {
        findings.fail(`no reply from ${address} within ${reply.afterMs} ms`);
        return undefined;
      }
      if (reply.kind === 'network_error') {
        findings.fail(unreachable(reply, address, https));
        return undefined;
      }
      if (!reached) {
        reached = true;
        findings.ok('reachable');
        if (!https) findings.ok('no TLS (http)');
        else if (config.tls.insecure_skip_verify)
          findings.warn('TLS NOT verified (insecure_skip_verify): anyone on the path can read the events');
        else findings.ok('TLS ok');
      }
      return reply;
    },
  };
}

function unreachable(reply: Extract<HttpReply, { kind: 'network_error' }>, address: string, https: boolean) {
  if (https && TLS_ERROR.test(reply.code)) {
    return `TLS failed with ${address} (${reply.code}: ${excerpt(reply.message)}): check tls.ca_file, tls.server_name or the certificate`;
  }
  if (reply.code === 'ECONNREFUSED') return `unreachable: ${address} refused the connection (ECONNREFUSED)`;
  if (reply.code === 'ENOTFOUND' || reply.code === 'EAI_AGAIN')
    return `unreachable: host of ${address} not found (${reply.code})`;
  return `unreachable: ${address} (${reply.code}: ${excerpt(reply.message)})`;
}

/** A GET without a body. */
export function getRequest(path: string, headers: Readonly<Record<string, string>> = {}): SinkRequest {
  return { path, method: 'GET', headers, body: new Uint8Array(0) };
}

/** A reply body on one line, cut short, for a finding; an HTML page (a proxy's) by its title. */
export function excerpt(body: string): string {
  const html = /^\s*</.test(body) ? /<title>([^<]*)<\/title>/i.exec(body) : null;
  const text = html ? (html[1] ?? '') : body;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '(empty body)' : cut(flat, EXCERPT_CHARS);
}

/** "HTTP 503: Ingester not ready" */
export function httpStatus(answer: Answer): string {
  return `HTTP ${answer.status}: ${excerpt(answer.body)}`;
}

/** Whether the sink authenticates at all (auth settings, or an Authorization header of its own). */
export function hasCredentials(config: HttpSinkCommon): boolean {
  return (
    Object.values(config.auth).some((value) => value !== undefined) ||
    Object.keys(config.headers).some((name) => name.toLowerCase() === 'authorization')
  );
}
