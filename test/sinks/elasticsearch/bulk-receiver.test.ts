/** The test receiver must be as strict as Elasticsearch, or the sink tests would prove little. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startBulkReceiver, type BulkReceiver } from '../../receivers/bulk-receiver.js';
import { esItemErrors } from '../../receivers/es-item-errors.js';

type Item = Record<
  string,
  { _id: string; status: number; result?: string; error?: { type: string; reason: string } }
>;

describe('bulk receiver', () => {
  let receiver: BulkReceiver;
  before(async () => {
    receiver = await startBulkReceiver({ dataStreams: ['logs-wirety.audit-default'] });
  });
  after(() => receiver.close());

  const post = async (body: string, path = '/_bulk', contentType = 'application/x-ndjson') => {
    const res = await request(receiver.url + path, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    const text = await res.body.text();
    const json = (text === '' ? {} : JSON.parse(text)) as {
      took?: number;
      errors?: boolean;
      items?: Item[];
      error?: { type: string; reason: string };
    };
    return { status: res.statusCode, json };
  };
  const statuses = (items: Item[] | undefined) => (items ?? []).map((i) => Object.values(i)[0]!.status);
  const errorTypes = (items: Item[] | undefined) =>
    (items ?? []).map((i) => Object.values(i)[0]!.error?.type);

  test('refuses a body whose last line lacks "\\n" with an ES error body', async () => {
    const res = await post('{"create":{"_index":"a","_id":"1"}}\n{"x":1}');
    assert.equal(res.status, 400);
    assert.equal(res.json.error?.type, 'illegal_argument_exception');
    assert.match(res.json.error?.reason ?? '', /terminated by a newline/);
  });

  test('refuses a malformed action line, a missing document line and a missing index', async () => {
    assert.equal((await post('{"create":\n{"x":1}\n')).status, 400);
    assert.equal((await post('{"upsert":{"_index":"a"}}\n{"x":1}\n')).status, 400);
    assert.equal((await post('{"create":{"_index":"a","_id":"1"}}\n')).status, 400);
    assert.equal((await post('{"create":{"_id":"1"}}\n{"x":1}\n')).status, 400);
    assert.equal(receiver.documents.size, 0);
  });

  test('refuses an unsupported Content-Type with 406', async () => {
    assert.equal(
      (await post('{"create":{"_index":"a","_id":"1"}}\n{"x":1}\n', '/_bulk', 'text/plain')).status,
      406,
    );
  });

  test('stores by _index/_id; create on an existing id is an item 409; index replaces', async () => {
    const body =
      '{"create":{"_index":"s1","_id":"a"}}\n{"v":1}\n{"create":{"_index":"s1","_id":"a"}}\n{"v":2}\n';
    const res = await post(body);
    assert.equal(res.status, 200);
    assert.equal(res.json.errors, true);
    assert.deepEqual(statuses(res.json.items), [201, 409]);
    assert.deepEqual(errorTypes(res.json.items), [undefined, 'version_conflict_engine_exception']);
    assert.deepEqual(receiver.documents.get('s1/a'), { v: 1 });
    const replaced = await post('{"index":{"_index":"s1","_id":"a"}}\n{"v":3}\n');
    assert.deepEqual(statuses(replaced.json.items), [200]);
    assert.deepEqual(receiver.documents.get('s1/a'), { v: 3 });
  });

  test('item 400 for a document that is not a JSON object or repeats a key', async () => {
    const body =
      '{"create":{"_index":"s2","_id":"1"}}\n{"x":1,"x":2}\n' +
      '{"create":{"_index":"s2","_id":"2"}}\n{not json}\n' +
      '{"create":{"_index":"s2","_id":"3"}}\n{"a":{"x":1},"b":{"x":2},"s":"x\\"x"}\n';
    const res = await post(body);
    assert.deepEqual(statuses(res.json.items), [400, 400, 201]);
    assert.deepEqual(errorTypes(res.json.items).slice(0, 2), [
      'document_parsing_exception',
      'document_parsing_exception',
    ]);
  });

  test('data streams accept only create, with @timestamp', async () => {
    const ds = 'logs-wirety.audit-default';
    const body =
      `{"index":{"_index":"${ds}","_id":"1"}}\n{"@timestamp":"2025-05-23T11:33:20.000Z"}\n` +
      `{"create":{"_index":"${ds}","_id":"2"}}\n{"time":1748000000}\n` +
      `{"create":{"_index":"${ds}","_id":"3"}}\n{"@timestamp":"2025-05-23T11:33:20.000Z"}\n`;
    assert.deepEqual(statuses((await post(body)).json.items), [400, 400, 201]);
  });

  test('scripted item statuses answer one request with a mix; scripted whole replies still count sends', async () => {
    const codes = [201, 409, 429, 503, 400];
    receiver.scriptItems((_doc, i) => codes[i]);
    const body = codes.map((_, i) => `{"create":{"_index":"s3","_id":"m${i}"}}\n{"i":${i}}\n`).join('');
    const res = await post(body);
    receiver.scriptItems(undefined);
    assert.deepEqual(statuses(res.json.items), codes);
    assert.deepEqual(errorTypes(res.json.items), [
      undefined,
      'version_conflict_engine_exception',
      'es_rejected_execution_exception',
      'unavailable_shards_exception',
      'mapper_parsing_exception',
    ]);
    assert.deepEqual(receiver.documents.get('s3/m0'), { i: 0 });
    assert.equal(receiver.documents.has('s3/m2'), false);
    receiver.script({ status: 429, body: '' });
    assert.equal((await post(body)).status, 429);
    assert.equal(receiver.sendCount('m3'), 2);
    assert.equal(receiver.bulkRequests.at(-1)?.items.length, 5, 'the scripted 429 was not handled as a bulk');
  });

  test("filter_path trims the reply as Elasticsearch does: only errors and each item's _id, status, error", async () => {
    const body =
      '{"create":{"_index":"f1","_id":"a"}}\n{"v":1}\n{"create":{"_index":"f1","_id":"a"}}\n{"v":2}\n';
    const res = await post(body, '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error');
    assert.equal(receiver.bulkRequests.at(-1)?.filterPath, 'errors,items.*._id,items.*.status,items.*.error');
    assert.deepEqual(Object.keys(res.json), ['errors', 'items']);
    assert.deepEqual(res.json.items?.[0], { create: { _id: 'a', status: 201 } });
    const conflict = res.json.items?.[1]?.create;
    assert.deepEqual(Object.keys(conflict ?? {}), ['_id', 'status', 'error']);
    assert.equal(conflict?.error?.type, 'version_conflict_engine_exception');
    const unfiltered = await post('{"create":{"_index":"f1","_id":"b"}}\n{"v":1}\n');
    assert.equal(typeof unfiltered.json.took, 'number', 'no filter_path: the whole reply');
  });

  test('scripted per-item errors carry the real bodies (type, reason, index fields)', async () => {
    receiver.scriptItems(
      (_doc, i, _n, action) =>
        [
          esItemErrors.securityException(action.index),
          esItemErrors.noWriteIndex('wirety-audit'),
          esItemErrors.floodStage(action.index),
          undefined,
        ][i],
    );
    const body = [0, 1, 2, 3].map((i) => `{"create":{"_index":"e1","_id":"e${i}"}}\n{"i":${i}}\n`).join('');
    const res = await post(body);
    receiver.scriptItems(undefined);
    assert.deepEqual(statuses(res.json.items), [403, 400, 429, 201]);
    const errors = (res.json.items ?? []).map((item) => Object.values(item)[0]!.error);
    assert.match(
      errors[0]?.reason ?? '',
      /^action \[indices:data\/write\/bulk\[s\]\] is unauthorized .* this action is granted by the index privileges \[create_doc,/,
    );
    assert.equal(errors[1]?.type, 'illegal_argument_exception');
    assert.match(errors[1]?.reason ?? '', /^no write index is defined for alias \[wirety-audit\]/);
    assert.equal(errors[2]?.type, 'cluster_block_exception');
    assert.match(errors[2]?.reason ?? '', /TOO_MANY_REQUESTS\/12\/disk usage exceeded flood-stage watermark/);
    assert.deepEqual(
      [...receiver.documents.keys()].filter((k) => k.startsWith('e1/')),
      ['e1/e3'],
    );
  });

  test('auto-create off: an item for a missing index is a 404 index_not_found_exception until the index exists', async () => {
    const strict = await startBulkReceiver({ autoCreateIndex: false });
    try {
      const send = () =>
        request(strict.url + '/_bulk', {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: '{"create":{"_index":"missing","_id":"1"}}\n{"x":1}\n',
        }).then(async (r) => (await r.body.json()) as { items: Item[] });
      const refused = Object.values((await send()).items[0]!)[0]!;
      assert.equal(refused.status, 404);
      assert.deepEqual(refused.error, {
        type: 'index_not_found_exception',
        reason: 'no such index [missing] and [action.auto_create_index] is [false]',
        index_uuid: '_na_',
        index: 'missing',
      });
      assert.equal(strict.documents.size, 0);
      strict.createIndex('missing');
      assert.deepEqual(statuses((await send()).items), [201]);
      assert.ok(strict.documents.has('missing/1'));
    } finally {
      await strict.close();
    }
  });

  test('GET / answers with the cluster banner; unknown paths get "no handler found"', async () => {
    const res = await request(receiver.url + '/');
    const banner = (await res.body.json()) as { cluster_name: string; version: { number: string } };
    assert.equal(banner.cluster_name, 'test-cluster');
    assert.equal(banner.version.number, '8.15.0');
    const wrong = await post('{"create":{"_index":"a","_id":"1"}}\n{"x":1}\n', '/es/_bulkx');
    assert.equal(wrong.status, 400);
    assert.match(JSON.stringify(wrong.json), /no handler found/);
  });

  test('the index can come from the path, and the pipeline is recorded', async () => {
    const res = await post('{"create":{"_id":"p1"}}\n{"x":1}\n', '/from-path/_bulk?pipeline=enrich%20v2');
    assert.deepEqual(statuses(res.json.items), [201]);
    assert.ok(receiver.documents.has('from-path/p1'));
    assert.equal(receiver.bulkRequests.at(-1)?.pipeline, 'enrich v2');
  });
});
