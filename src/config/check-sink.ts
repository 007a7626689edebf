/**
 * Checks one sink beyond what the schema can say: a usable base URL (http/https, no credentials,
 * no query), one way of authenticating, a complete client certificate, headers that cannot break
 * the protocol, and each receiver's own rules. Messages never include a secret or a URL (a URL
 * may hold credentials; the user knows what they wrote, the key path says where).
 */
import { checkIndexPattern } from '../sinks/elasticsearch/index-name.js';
import { validateLokiTenant } from '../sinks/loki/index.js';
import { validateLokiLabels } from '../sinks/loki/labels.js';
import type { RawSink } from './file-schema.js';
import { SINK_TARGETS, type SinkTarget } from './settings.js';
import type { Path } from './tree.js';
import type { HttpSinkCommon, SinkConfig } from './types.js';

export type Report = (path: Path, message: string, hint?: string) => void;

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
  const base = ['sinks', sink.name];
  if (sink.type === 'stdout') return;
  checkHttp(sink, base, report);
  if (sink.type === 'loki') {
    // The Loki sink's own rules, so the loader and the codec can never disagree.
    for (const text of [...validateLokiLabels(sink), ...validateLokiTenant(sink)]) {
      const match = /^sinks\.[a-z0-9_-]+\.([a-z_.]+): (.*)$/s.exec(text);
      if (match) report([...base, ...(match[1] ?? '').split('.')], match[2] ?? text);
      else report([...base, 'labels'], text);
    }
    // Metadata fields that would silently not be sent are a contradiction, not a preference.
    if (!sink.structured_metadata && (raw?.structured_metadata_fields?.length ?? 0) > 0) {
      report(
        [...base, 'structured_metadata_fields'],
        'has no effect with structured_metadata: false (no structured metadata is sent)',
        'remove structured_metadata_fields, or set structured_metadata: true if this Loki accepts it',
      );
    }
    const orgHeader = Object.keys(sink.headers).find((name) => name.toLowerCase() === 'x-scope-orgid');
    if (orgHeader !== undefined && sink.tenant !== undefined) {
      report([...base, 'headers', orgHeader], 'conflicts with tenant', 'keep tenant only');
    }
  } else if (sink.type === 'elasticsearch') {
    if (sink.data_stream !== undefined) {
      if (sink.op === 'index')
        report([...base, 'op'], 'must be create with a data_stream (data streams only accept create)');
      if (raw?.index !== undefined)
        report([...base, 'index'], 'cannot be used together with data_stream', 'keep one of them');
      const bad =
        checkIndexPattern(sink.data_stream) ??
        (sink.data_stream.includes('%') ? 'a data stream name has no date parts' : undefined);
      if (bad) report([...base, 'data_stream'], bad.replace(/^index name/, 'data stream name'));
    } else {
      const bad = checkIndexPattern(sink.index);
      if (bad) report([...base, 'index'], bad);
    }
  } else {
    if (sink.token === undefined && sink.token_file === undefined) {
      report(
        [...base, 'token'],
        'is required (or token_file)',
        sink.name === 'splunk' ? 'set WIRETY_SHIP_SPLUNK_TOKEN or --splunk-token-file <file>' : undefined,
      );
    }
    if (sink.token !== undefined && sink.token_file !== undefined) {
      report([...base, 'token_file'], 'cannot be used together with token', 'keep one of them');
    }
    if (sink.ack.enabled && sink.ack.poll_interval_ms >= sink.ack.timeout_ms) {
      report([...base, 'ack', 'poll_interval'], 'must be shorter than ack.timeout');
    }
    if (sink.ack.required && !sink.ack.enabled) {
      report(
        [...base, 'ack', 'required'],
        'needs ack.enabled: true',
        'set ack.enabled: true (or --splunk-ack)',
      );
    }
  }
}
