import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/deliver/outcome.js';
import { classifyLokiReply } from '../../../src/sinks/loki/classify.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { makeRecords } from '../../helpers/records.js';
import { lokiSinkConfig } from '../../receivers/loki-receiver.js';

const reply = (status: number, body = '', headers: Record<string, string | string[]> = {}): HttpReply => ({
  kind: 'response',
  status,
  headers,
  body,
});

// [reply, expected kind, retry class or undefined, pattern the reason must match]
const table: [HttpReply, Outcome['kind'], string | undefined, RegExp | undefined][] = [
  [reply(204), 'delivered', undefined, undefined],
  [reply(200), 'delivered', undefined, undefined],
  [reply(260, 'ingestion blocked'), 'rejected', undefined, /HTTP 260.*Loki dropped the data/],
  [
    reply(400, 'entry for stream {job="wirety"} has timestamp too old'),
    'rejected',
    undefined,
    /400.*timestamp too old/,
  ],
  [reply(422, 'no streams'), 'rejected', undefined, /422.*no streams/],
  [reply(401, 'no org id\n'), 'blocked', undefined, /401.*no org id.*tenant.*X-Scope-OrgID/],
  [reply(401, 'unauthorized'), 'blocked', undefined, /401.*unauthorized.*credentials/],
  [reply(403, 'forbidden'), 'blocked', undefined, /403.*forbidden/],
  [reply(404, '404 page not found'), 'blocked', undefined, /404.*page not found.*url/],
  [reply(405, 'method not allowed'), 'blocked', undefined, /405.*method not allowed/],
  [reply(413, 'request body too large'), 'split', undefined, /413/],
  [reply(429, 'ingestion rate limit exceeded'), 'retry', 'rate_limited', /429.*rate limit exceeded/],
  [reply(500, 'internal'), 'retry', 'server_error', /500.*internal/],
  [reply(502), 'retry', 'server_error', /502/],
  [reply(503, 'circuit breaker'), 'retry', 'server_error', /503.*circuit breaker/],
  [reply(504), 'retry', 'server_error', /504/],
  [reply(408), 'retry', 'timeout', /408/],
  [reply(409, 'conflict'), 'rejected', undefined, /409.*conflict/],
  [reply(418, 'teapot'), 'rejected', undefined, /418.*teapot/],
  [reply(301), 'blocked', undefined, /redirect/],
  [
    { kind: 'network_error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    'retry',
    'network',
    /ECONNREFUSED/,
  ],
  [{ kind: 'timeout', afterMs: 5000 }, 'retry', 'timeout', /5000 ms/],
];

void test('classify table: every status maps to the outcome of PROTOCOLS.md §1', () => {
  for (const [input, kind, retryClass, reason] of table) {
    const label = input.kind === 'response' ? `HTTP ${input.status}` : input.kind;
    const outcome = classifyLokiReply(input);
    assert.equal(outcome.kind, kind, label);
    if (outcome.kind === 'retry') assert.equal(outcome.class, retryClass, label);
    if (reason) assert.match((outcome as { reason: string }).reason, reason, label);
  }
});

void test('Retry-After is passed on raw for 429 and 5xx, and absent when not sent', () => {
  const limited = classifyLokiReply(reply(429, 'slow down', { 'retry-after': '7' }));
  assert.deepEqual(limited, {
    kind: 'retry',
    class: 'rate_limited',
    reason: 'Loki rate limit (HTTP 429): slow down',
    retryAfter: '7',
  });
  const date = 'Wed, 21 Oct 2025 07:28:00 GMT';
  const busy = classifyLokiReply(reply(503, '', { 'retry-after': [date] }));
  assert.equal(busy.kind === 'retry' && busy.retryAfter, date);
  const plain = classifyLokiReply(reply(500));
  assert.ok(plain.kind === 'retry' && !('retryAfter' in plain));
});

void test('Loki messages are trimmed and capped near 1 KiB', () => {
  const outcome = classifyLokiReply(reply(400, `  ${'x'.repeat(100_000)}  \n`));
  assert.equal(outcome.kind, 'rejected');
  const reason = (outcome as { reason: string }).reason;
  assert.ok(reason.length < 1200, `reason is ${reason.length} chars`);
  assert.match(reason, /: x+…$/);
  assert.match(
    (classifyLokiReply(reply(400, '  bad labels \n')) as { reason: string }).reason,
    /: bad labels$/,
  );
});

void test('the codec classifies with the same table', () => {
  const codec = createLokiCodec(lokiSinkConfig('http://127.0.0.1:1'));
  const records = makeRecords(2);
  assert.equal(codec.classify(reply(204), records).kind, 'delivered');
  assert.equal(codec.classify(reply(260), records).kind, 'rejected');
  assert.equal(codec.classify(reply(429), records).kind, 'retry');
});
