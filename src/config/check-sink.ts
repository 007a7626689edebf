/**
 * Checks one sink beyond what the schema can say: a usable base URL (http/https, no credentials,
 * no query), one way of authenticating, a complete client certificate, headers that cannot break
 * the protocol; then each receiver's own rules (its src/sinks/<kind>/config.ts, via sink-kinds.ts). Messages never include a secret or a URL (a URL
 * may hold credentials; the user knows what they wrote, the key path says where).
 */
import type { RawSink } from './file-schema.js';
import { SINK_TARGETS, type SinkTarget } from './settings.js';
import { sinkKind, type Report } from './sink-kinds.js';
import type { Path } from './tree.js';
import type { HttpSinkCommon, SinkConfig } from './types.js';

export type { Report } from './sink-kinds.js';

/** Endpoint paths people paste by mistake; the sinks add them to the base URL themselves. */
const ENDPOINTS: Readonly<Record<string, RegExp>> = {
  loki: /\/(loki\/api\/v1\/push|api\/prom\/push|otlp\/v1\/logs)\/?$/,
  elasticsearch: /\/_bulk\/?$/,
  splunk_hec: /\/services\/collector(\/\w+)*\/?$/,
};
/** Set by wirety-ship itself; a user value would corrupt the request. */
const RESERVED_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'host',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkUrl(sink: HttpSinkCommon & { type: string }, base: Path, report: Report): void {
  const path = [...base, 'url'];
  const target = SINK_TARGETS[sink.name as SinkTarget] as (typeof SINK_TARGETS)[SinkTarget] | undefined;
  if (sink.url === '') {
    const flag = target?.type === sink.type ? target.urlFlag : undefined;
    report(path, 'is required', flag ? `set it in the file, or with ${flag}` : undefined);
    return;
  }
  let url: URL;
  try {
    url = new URL(sink.url);
  } catch {
    report(path, 'is not a valid URL', 'write e.g. https://loki.example.com:3100');
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    report(path, 'must start with http:// or https://');
  if (url.username !== '' || url.password !== '') {
    report(
      path,
      'must not contain a user name or password',
      'use the auth settings (or the token settings for Splunk) and an environment variable or file',
    );
  }
  if (url.search !== '' || url.hash !== '')
    report(path, 'must not have a query (?…) or fragment (#…)', 'give the base URL only');
  const endpoint = ENDPOINTS[sink.type];
  if (endpoint?.test(url.pathname)) {
    report(
      path,
      'must be the base URL, without the API path',
      'wirety-ship adds the endpoint path itself, e.g. https://loki.example.com:3100',
    );
  }
}

function checkHttp(sink: HttpSinkCommon & { type: string }, base: Path, report: Report): void {
  checkUrl(sink, base, report);
  const { auth, tls } = sink;
  const pairs = [
    ['password', 'password_file'],
    ['bearer_token', 'bearer_token_file'],
    ['api_key', 'api_key_file'],
  ] as const;
  for (const [inline, file] of pairs) {
    if (auth[inline] !== undefined && auth[file] !== undefined) {
      report([...base, 'auth', file], `cannot be used together with auth.${inline}`, 'keep one of them');
    }
  }
  const methods = [
    auth.username !== undefined || auth.password !== undefined || auth.password_file !== undefined
      ? 'basic (username/password)'
      : '',
    auth.bearer_token !== undefined || auth.bearer_token_file !== undefined ? 'bearer token' : '',
    auth.api_key !== undefined || auth.api_key_file !== undefined ? 'API key' : '',
  ].filter((m) => m !== '');
  if (methods.length > 1) {
    report(
      [...base, 'auth'],
      `sets more than one way to authenticate: ${methods.join(' and ')}`,
      'keep exactly one',
    );
  } else if (auth.username !== undefined && auth.password === undefined && auth.password_file === undefined) {
    report([...base, 'auth', 'username'], 'is set without auth.password or auth.password_file');
  } else if (
    auth.username === undefined &&
    (auth.password !== undefined || auth.password_file !== undefined)
  ) {
    report([...base, 'auth'], 'has a password but no auth.username');
  }
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    report([...base, 'tls'], 'needs both cert_file and key_file for a client certificate');
  }
  for (const [name, value] of Object.entries(sink.headers)) {
    const path = [...base, 'headers', name];
    if (!HEADER_NAME.test(name)) report(path, 'is not a valid HTTP header name');
    else if (RESERVED_HEADERS.has(name.toLowerCase()))
      report(path, 'is set by wirety-ship itself and cannot be overridden');
    else if (name.toLowerCase() === 'authorization' && methods.length > 0)
      report(path, 'conflicts with the auth settings', 'keep one of them');
    if (/[\r\n\0]/.test(value)) report(path, 'must not contain line breaks');
  }
  if (sink.retry.initial_backoff_ms > sink.retry.max_backoff_ms) {
    report([...base, 'retry', 'initial_backoff'], 'is longer than retry.max_backoff');
  }
}

export function checkSink(sink: SinkConfig, raw: RawSink | undefined, report: Report): void {
  if (sink.type === 'stdout') return;
  checkHttp(sink, ['sinks', sink.name], report);
  sinkKind(sink.type).check?.(sink, raw, report);
}
