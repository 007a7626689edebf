/**
 * The Loki test receiver must refuse what Loki refuses, or encoding bugs would pass unnoticed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { compress } from 'snappyjs';
import { request } from 'undici';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { encodePushRequest } from '../../../src/sinks/loki/push-proto.js';
import { makeRecords } from '../../helpers/records.js';
import { parseLokiLabels, startLokiReceiver, type LokiReceiver } from '../../receivers/loki-receiver.js';

let loki: LokiReceiver;
before(async () => {
  loki = await startLokiReceiver();
});
after(() => loki.close());

async function post(body: Uint8Array, path = '/loki/api/v1/push', contentType = 'application/x-protobuf') {
  const res = await request(`${loki.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return { status: res.statusCode, type: String(res.headers['content-type']), text: await res.body.text() };
}

const pushOf = (labels: string, nanos = 1) =>
  compress(
    Buffer.from(
      encodePushRequest({
        streams: [
          {
            labels,
            entries: [{ timestamp: { seconds: 1748000000, nanos }, line: 'x', structuredMetadata: [] }],
          },
        ],
      }),
    ),
  );

void test('malformed bodies get Loki-like plain-text errors and are not stored', async () => {
  const cases: [string, Uint8Array, number, RegExp][] = [
    ['not snappy', Buffer.from('{"streams":[]} definitely not snappy'), 400, /snappy/],
    ['empty body', Buffer.alloc(0), 400, /snappy/],
    ['snappy but not protobuf', compress(Buffer.from('this is not protobuf at all')), 400, /wire type/],
    [
      'framed snappy, not block',
      Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]),
      400,
      /snappy|wire|offset/,
    ],
    ['zero streams', compress(Buffer.alloc(0)), 422, /at least one valid stream is required/],
    ['unparseable labels', pushOf('job="wirety"'), 400, /error parsing labels/],
    ['empty label set', pushOf('{}'), 400, /at least one label/],
    ['raw newline in a label value', pushOf('{job="a\nb"}'), 400, /error parsing labels/],
    ['duplicate label', pushOf('{a="1",a="2"}'), 400, /duplicate/],
  ];
  const stored = loki.pushes.length;
  for (const [name, body, status, pattern] of cases) {
    const res = await post(body);
    assert.equal(res.status, status, name);
    assert.match(res.type, /^text\/plain/, name);
    assert.match(res.text, pattern, name);
  }
  assert.equal(loki.pushes.length, stored, 'nothing refused is stored');
});

void test('JSON pushes and other paths are refused', async () => {
  const good = createLokiCodec(loki.sinkConfig()).encode(makeRecords(1)).body;
  assert.equal((await post(good, '/loki/api/v1/push', 'application/json')).status, 400);
  assert.equal((await post(good, '/api/prom/push')).status, 404);
  assert.equal((await post(good)).status, 204);
});

void test('scripted replies answer valid pushes in order; only 2xx (not 260) pushes count as stored', async () => {
  const codec = createLokiCodec(loki.sinkConfig());
  const stored = loki.entries().length;
  loki.script(
    { status: 429, body: 'rate limited', headers: { 'retry-after': '1' } },
    { status: 260 },
    { status: 200 },
  );
  assert.equal((await post(pushOf('{x'))).status, 400, 'an invalid body does not consume the script');
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await post(codec.encode(makeRecords(3, 100 * i)).body)).status);
  assert.deepEqual(statuses, [429, 260, 200, 204]);
  await loki.waitForEntries(stored + 6);
  assert.equal(loki.entries().length, stored + 6);
});

void test('setDefaultReply replaces the 204 while decoding still happens', async () => {
  const stored = loki.pushes.length;
  loki.setDefaultReply(() => ({ status: 503, body: 'unavailable' }));
  try {
    const body = createLokiCodec(loki.sinkConfig()).encode(makeRecords(2)).body;
    assert.equal((await post(body)).status, 503);
    assert.equal((await post(pushOf('nope'))).status, 400);
    assert.equal(loki.pushes.length, stored);
  } finally {
    loki.setDefaultReply(() => ({ status: 204 }));
  }
});

void test('parseLokiLabels unescapes values and tolerates spaces', () => {
  assert.deepEqual(parseLokiLabels('{ a="x\\"y\\\\z\\n" , b="é 🎉" }'), { a: 'x"y\\z\n', b: 'é 🎉' });
});

const entryAt = (seconds: number, line: string, meta: Record<string, string> = {}) => ({
  timestamp: { seconds, nanos: 7 },
  line,
  structuredMetadata: Object.entries(meta).map(([name, value]) => ({ name, value })),
});
const pushEntries = (entries: ReturnType<typeof entryAt>[]) =>
  compress(
    Buffer.from(encodePushRequest({ streams: [{ labels: '{source="server",job="wirety"}', entries }] })),
  );

void test("with limits: refused entries get Loki's grouped 400, the valid ones are stored, identical entries once", async () => {
  const limited = await startLokiReceiver({
    limits: { oldestAcceptableNs: 1_747_000_000n * 1_000_000_000n, maxLineBytes: 10 },
  });
  try {
    const send = (body: Uint8Array) =>
      request(`${limited.url}/loki/api/v1/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body,
      }).then(async (res) => ({ status: res.statusCode, text: await res.body.text() }));
    const push = pushEntries([
      entryAt(1_748_000_000, 'ok-1'),
      entryAt(1_700_000_000, 'old-1'),
      entryAt(1_700_000_000, 'old-2'),
      entryAt(1_748_000_000, 'much-too-long'),
      entryAt(1_748_000_001, 'ok-2'),
    ]);
    const stream = '{job="wirety", source="server"}';
    const expected =
      `2 errors like: entry for stream '${stream}' has timestamp too old: 2023-11-14T22:13:20Z, oldest acceptable timestamp is: 2025-05-11T21:46:40Z; ` +
      `1 errors like: Max entry size '10' bytes exceeded for stream '${stream}' while adding an entry with length '13' bytes\n`;
    assert.deepEqual(await send(push), { status: 400, text: expected });
    assert.deepEqual(
      limited.stored().map((e) => e.line),
      ['ok-1', 'ok-2'],
    );
    assert.deepEqual(limited.pushes, [], 'a 400 push is not an accepted push');
    // The same push again: Loki skips what it already holds.
    assert.equal((await send(push)).status, 400);
    assert.equal(limited.stored().length, 2);
    assert.equal(limited.duplicatesSkipped(), 2);
    // One refusal alone: the bare message, no count.
    const single = await send(pushEntries([entryAt(1_700_000_000, 'old-1')]));
    assert.match(single.text, /^entry for stream .* has timestamp too old: .*\n$/);

    limited.setLimits({ allowStructuredMetadata: false, burstBytes: 20 });
    const sm = await send(
      pushEntries([entryAt(1_748_000_000, 'a', { event_id: 'e1' }), entryAt(1_748_000_000, 'b')]),
    );
    assert.deepEqual(sm, {
      status: 400,
      text: `stream '${stream}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.\n`,
    });
    assert.deepEqual(
      limited.stored().map((e) => e.line),
      ['ok-1', 'ok-2', 'b'],
      'entries without metadata are kept',
    );
    const big = await send(
      pushEntries([entryAt(1_748_000_000, 'x'.repeat(15)), entryAt(1_748_000_000, 'y'.repeat(15))]),
    );
    assert.deepEqual(big, {
      status: 429,
      text: "Ingestion rate limit exceeded for user fake (limit: 20 bytes/sec) while attempting to ingest '2' lines totaling '30' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n",
    });
    assert.equal(limited.stored().length, 3, 'a 429 push stores nothing');
  } finally {
    await limited.close();
  }
});
