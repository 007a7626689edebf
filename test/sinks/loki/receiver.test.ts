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
    ['zero streams', compress(Buffer.alloc(0)), 422, /no streams/],
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
