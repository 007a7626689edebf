import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/contract/outcome.js';
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
  // Without the request's shape a 400 may be partial: bisected (details below).
  [
    reply(400, 'entry for stream {job="wirety"} has timestamp too old'),
    'bisect',
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

void test('classify table: every status maps to the outcome of docs/receivers.md §1', () => {
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
    splitAfter: 3,
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
  assert.equal(outcome.kind, 'bisect');
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
  assert.equal(codec.classify(reply(400, 'line too long'), records).kind, 'bisect');
  assert.equal(codec.classify(reply(400, '2 errors like: too old'), records).kind, 'rejected');
  // makeRecords alternates server and agent events: two streams, so a label error may be partial.
  assert.equal(codec.classify(reply(400, LABEL_ERROR), records).kind, 'bisect');
  assert.equal(codec.classify(reply(400, LABEL_ERROR), [records[0]!, records[0]!]).kind, 'rejected');
});

const STREAM = '{job="wirety", source="server"}';
const SM_DISALLOWED = `stream '${STREAM}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;
const TOO_OLD = `entry for stream '${STREAM}' has timestamp too old: 2023-11-14T22:13:20Z, oldest acceptable timestamp is: 2025-05-16T11:33:20Z`;
const LABEL_ERROR = `couldn't parse labels: 1:14: parse error: unexpected "=" in label set, expected identifier or "}"`;
const shape = (entries: number, streams = 1) => ({ entries, streams: () => streams });

void test('400 "structured metadata … disallowed" => blocked, naming the option; never dead-lettered', () => {
  for (const body of [
    SM_DISALLOWED,
    `100 errors like: ${SM_DISALLOWED}`,
    `3 errors like: ${SM_DISALLOWED}; 1 errors like: ${TOO_OLD}`,
  ]) {
    for (const s of [shape(1), shape(100, 2)]) {
      const outcome = classifyLokiReply(reply(400, `${body}\n`), s);
      assert.equal(outcome.kind, 'blocked');
      const reason = (outcome as { reason: string }).reason;
      assert.match(reason, /`structured_metadata: false`/);
      assert.match(reason, /--loki-structured-metadata false/);
      assert.match(reason, /allow_structured_metadata/);
    }
  }
});

void test('400 => rejected only when Loki provably stored nothing, else bisect', () => {
  const cases: [string, ReturnType<typeof shape>, Outcome['kind']][] = [
    // One entry: refused, whatever the message.
    [TOO_OLD, shape(1), 'rejected'],
    // Loki's error count covers every entry: nothing stored.
    [`10 errors like: ${TOO_OLD}`, shape(10), 'rejected'],
    [`4 errors like: ${TOO_OLD}; 6 errors like: line too long`, shape(10, 2), 'rejected'],
    // Fewer errors than entries, or no count: the rest may be stored.
    [`9 errors like: ${TOO_OLD}`, shape(10), 'bisect'],
    [TOO_OLD, shape(2), 'bisect'],
    ['snappy: corrupt input', shape(5), 'bisect'],
    ['', shape(5), 'bisect'],
    // A label error refuses its whole stream: with one stream in the push, everything.
    [LABEL_ERROR, shape(50, 1), 'rejected'],
    [`Error parsing labels '{job="wirety"' with error: unexpected end of input`, shape(50, 1), 'rejected'],
    [`entry for stream '${STREAM}' has 16 label names; limit 15`, shape(50, 1), 'rejected'],
    [LABEL_ERROR, shape(50, 2), 'bisect'],
  ];
  for (const [body, s, kind] of cases) {
    const outcome = classifyLokiReply(reply(400, `${body}\n`), s);
    assert.equal(outcome.kind, kind, `${body} with ${s.entries} entries, ${s.streams()} streams`);
    assert.equal(
      (outcome as { reason: string }).reason,
      `Loki refused the entries (HTTP 400): ${body || '(empty body)'}`,
    );
  }
});

void test('streams are counted only for a 400 that needs them', () => {
  let counted = 0;
  const lazy = { entries: 10, streams: () => ++counted };
  classifyLokiReply(reply(400, TOO_OLD), lazy);
  classifyLokiReply(reply(204), lazy);
  classifyLokiReply(reply(400, `10 errors like: ${TOO_OLD}`), lazy);
  assert.equal(counted, 0);
  classifyLokiReply(reply(400, LABEL_ERROR), lazy);
  assert.equal(counted, 1);
});

void test('429 => retried, split after 3 in a row (a push over the tenant burst is refused forever)', () => {
  const outcome = classifyLokiReply(
    reply(
      429,
      "Ingestion rate limit exceeded for user acme (limit: 4194304 bytes/sec) while attempting to ingest '9000' lines totaling '7000000' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
    ),
  );
  assert.equal(outcome.kind, 'retry');
  assert.equal(outcome.kind === 'retry' && outcome.class, 'rate_limited');
  assert.equal(outcome.kind === 'retry' && outcome.splitAfter, 3);
});
