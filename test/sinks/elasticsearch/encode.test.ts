import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { AuditRecord } from '../../../src/audit/record.js';
import {
  createBulkEncoder,
  documentByCopy,
  documentBySplice,
  MAX_ID_BYTES,
  type BulkEncodeOptions,
} from '../../../src/sinks/elasticsearch/encode.js';
import type { SinkRequest } from '../../../src/contract/sink.js';
import { makeRecord, makeRecords, serverLine } from '../../helpers/records.js';
import { startBulkReceiver, type BulkReceiver } from '../../receivers/bulk-receiver.js';

const defaults: BulkEncodeOptions = { index: 'wirety-audit-%Y.%m.%d', op: 'create' };

interface Pair {
  action: Record<string, { _index: string; _id: string }>;
  doc: Record<string, unknown>;
}

/** Splits a bulk body strictly: every line must end in "\n". */
function pairs(body: Uint8Array): Pair[] {
  const text = Buffer.from(body).toString('utf8');
  assert.ok(text.endsWith('\n'), 'the last line ends in \\n');
  const lines = text.slice(0, -1).split('\n');
  assert.equal(lines.length % 2, 0, 'action and document lines come in pairs');
  const out: Pair[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    out.push({
      action: JSON.parse(lines[i]!) as Pair['action'],
      doc: JSON.parse(lines[i + 1]!) as Pair['doc'],
    });
  }
  return out;
}

function withoutOurs(doc: Record<string, unknown>): Record<string, unknown> {
  const { '@timestamp': _t, wirety_ship: _w, ...rest } = doc;
  return rest;
}

function withLine(seq: number, line: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return makeRecord(seq, line, overrides);
}

const careful: [string, string][] = [
  [
    'our key name inside a value',
    '{"log_type":"audit","time":1748000000,"action":"x","note":"@timestamp and wirety_ship"}',
  ],
  ['whitespace around the object', '{ "log_type": "audit", "time": 1748000000, "action": "x" } '],
  ['a \\u-escaped key', '{"log_type":"audit","time":1748000000,"action":"x","\\u0040timestamp":"then"}'],
  ['an own @timestamp key', '{"log_type":"audit","time":1748000000,"action":"x","@timestamp":"then"}'],
  ['an own wirety_ship key', '{"log_type":"audit","time":1748000000,"action":"x","wirety_ship":{"k":1}}'],
];

describe('bulk request shape', () => {
  test('POST /_bulk, NDJSON content type, an action and a document line per record, all ending in \\n', () => {
    const records = makeRecords(5);
    const req = createBulkEncoder(defaults).encode(records);
    assert.equal(req.path, '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error');
    assert.equal(req.method, 'POST');
    assert.deepEqual(req.headers, { 'content-type': 'application/x-ndjson' });
    const text = Buffer.from(req.body).toString('utf8');
    assert.equal(text.split('\n').length, 2 * records.length + 1);
    assert.equal(text.at(-1), '\n');
    assert.equal(pairs(req.body).length, 5);
  });

  test('default action is create with the event id as _id and the index from the event day', () => {
    const records = makeRecords(4);
    const got = pairs(createBulkEncoder(defaults).encode(records).body);
    got.forEach((p, i) => {
      assert.deepEqual(p.action, { create: { _index: 'wirety-audit-2025.05.23', _id: records[i]!.id } });
    });
  });

  test('op index is used when configured', () => {
    const got = pairs(createBulkEncoder({ ...defaults, op: 'index' }).encode(makeRecords(2)).body);
    assert.deepEqual(Object.keys(got[0]!.action), ['index']);
  });

  test('the pipeline goes in the query string, url-encoded', () => {
    const req = createBulkEncoder({ ...defaults, pipeline: 'audit enrich/v2&x' }).encode(makeRecords(1));
    assert.equal(
      req.path,
      '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error&pipeline=audit%20enrich%2Fv2%26x',
    );
  });

  test("indexOf names the _index of the record's action line (event day, or the data stream)", () => {
    const nextDay = makeRecord(9, serverLine.replace('"time":1748000000', '"time":1748100000'));
    const records = [...makeRecords(2), nextDay];
    for (const options of [defaults, { ...defaults, dataStream: 'logs-wirety.audit-default' }]) {
      const encoder = createBulkEncoder(options);
      const sent = pairs(encoder.encode(records).body).map((p) => Object.values(p.action)[0]!._index);
      assert.deepEqual(
        records.map((r) => encoder.indexOf(r)),
        sent,
      );
    }
    assert.equal(createBulkEncoder(defaults).indexOf(nextDay), 'wirety-audit-2025.05.24');
  });

  test('data stream mode: _index is the stream, op is always create, @timestamp present', () => {
    const encoder = createBulkEncoder({
      index: 'ignored-%Y',
      dataStream: 'logs-wirety.audit-default',
      op: 'index',
    });
    assert.equal(encoder.op, 'create');
    for (const p of pairs(encoder.encode(makeRecords(3)).body)) {
      assert.deepEqual(Object.keys(p.action), ['create']);
      assert.equal(p.action.create!._index, 'logs-wirety.audit-default');
      assert.match(String(p.doc['@timestamp']), /^2025-05-23T/);
    }
  });

  test('encoding is deterministic (a resend carries the same bytes and _ids)', () => {
    const records = makeRecords(10);
    const encoder = createBulkEncoder(defaults);
    assert.deepEqual(encoder.encode(records).body, createBulkEncoder(defaults).encode(records).body);
    assert.deepEqual(encoder.encode(records).body, encoder.encode(records).body);
  });
});

describe('documents', () => {
  test('every original field and value is kept, plus @timestamp and wirety_ship', () => {
    const records = makeRecords(6);
    const got = pairs(createBulkEncoder(defaults).encode(records).body);
    got.forEach(({ doc }, i) => {
      const r = records[i]!;
      assert.deepEqual(withoutOurs(doc), r.event);
      assert.deepEqual(doc.wirety_ship, { event_id: r.id, seq: r.seq, source: r.source });
    });
  });

  test('@timestamp reads time as Unix SECONDS: 1748000000 → 2025-05-23T11:33:20.000Z, never 1970', () => {
    const [{ doc }] = pairs(createBulkEncoder(defaults).encode([makeRecord(1, serverLine)]).body) as [Pair];
    assert.equal(doc['@timestamp'], '2025-05-23T11:33:20.000Z');
    for (const { doc: d } of pairs(createBulkEncoder(defaults).encode(makeRecords(50)).body)) {
      const ts = String(d['@timestamp']);
      assert.ok(!ts.startsWith('1970'), `1970 date: ${ts}`);
      assert.equal(Date.parse(ts), (d.time as number) * 1000);
    }
  });

  test('an unusable time falls back to the receive time, and the document says so', () => {
    const line = '{"level":"info","log_type":"audit","time":"soon","action":"auth.login","message":"audit"}';
    const record = withLine(1, line, { receivedAtMs: Date.parse('2025-06-01T08:00:00Z') });
    const [p] = pairs(createBulkEncoder(defaults).encode([record]).body) as [Pair];
    assert.equal(p.doc['@timestamp'], '2025-06-01T08:00:00.000Z');
    assert.equal(p.action.create!._index, 'wirety-audit-2025.06.01');
    assert.equal((p.doc.wirety_ship as Record<string, unknown>).timestamp_from, 'received');
    assert.equal(p.doc.time, 'soon');
  });

  test('splicing and copying give equal documents', () => {
    const lines = [
      ...makeRecords(8).map((r) => r.line),
      '{"level":"info","log_type":"audit","time":1748000000,"action":"peer.rename","old_name":"ü ñ 漢字 😀","new_name":"x","message":"audit"}',
      '{"level":"info","log_type":"audit","time":1748000000,"action":"x","nested":{"a":[1,{"b":null}],"c":true},"message":"audit"}',
    ];
    lines.forEach((line, i) => {
      const record = withLine(i + 1, line);
      const spliced = documentBySplice(record, '2025-05-23T11:33:20.000Z');
      assert.ok(spliced !== undefined, `splice path taken for line ${i}`);
      assert.deepEqual(JSON.parse(spliced), JSON.parse(documentByCopy(record, '2025-05-23T11:33:20.000Z')));
    });
  });

  test('splicing keeps big integers exact', () => {
    const line =
      '{"level":"info","log_type":"audit","time":1748000000,"action":"x","n":12345678901234567890,"message":"audit"}';
    const doc = Buffer.from(createBulkEncoder(defaults).encode([withLine(1, line)]).body).toString('utf8');
    assert.match(doc, /"n":12345678901234567890/);
  });

  for (const [label, line] of careful) {
    test(`careful path for ${label}: valid document, ours win, the original value is kept`, () => {
      const record = withLine(7, line);
      assert.equal(documentBySplice(record, 'T'), undefined);
      const [{ doc }] = pairs(createBulkEncoder(defaults).encode([record]).body) as [Pair];
      assert.equal(doc['@timestamp'], '2025-05-23T11:33:20.000Z');
      const ship = doc.wirety_ship as Record<string, unknown>;
      assert.equal(ship.event_id, record.id);
      const event = record.event as Record<string, unknown>;
      const overwritten = (ship.overwritten ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(event)) {
        const kept = key === '@timestamp' || key === 'wirety_ship' ? overwritten[key] : doc[key];
        assert.deepEqual(kept, value, `field ${key} kept`);
      }
    });
  }
});

describe('_id guard', () => {
  test('ids up to 512 bytes are sent as is; longer ones as a stable hash, the full id kept in the document', () => {
    const short = 'é'.repeat(256); // 512 bytes
    const long = 'é'.repeat(257); // 514 bytes
    const records = [withLine(1, serverLine, { id: short }), withLine(2, serverLine, { id: long })];
    const [a, b] = pairs(createBulkEncoder(defaults).encode(records).body) as [Pair, Pair];
    assert.equal(a.action.create!._id, short);
    const hashed = b.action.create!._id;
    assert.ok(Buffer.byteLength(hashed) <= MAX_ID_BYTES);
    assert.notEqual(hashed, long);
    assert.equal((b.doc.wirety_ship as Record<string, unknown>).event_id, long);
    const again = pairs(createBulkEncoder(defaults).encode([records[1]!]).body)[0]!;
    assert.equal(again.action.create!._id, hashed, 'same id → same _id on every attempt');
  });
});

describe('round trip through a real _bulk receiver', () => {
  let receiver: BulkReceiver;
  before(async () => {
    receiver = await startBulkReceiver({ dataStreams: ['logs-wirety.audit-default'] });
  });
  after(() => receiver.close());

  const post = async (req: SinkRequest) => {
    const res = await request(receiver.url + req.path, {
      method: req.method ?? 'POST',
      headers: { ...req.headers },
      body: req.body,
    });
    return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
  };

  test('the receiver stores every document as encoded; a resend is all 409 (idempotent create)', async () => {
    const records = [
      ...makeRecords(6),
      withLine(99, careful[3]![1]),
      withLine(100, serverLine, { id: 'x'.repeat(600) }),
    ];
    const req = createBulkEncoder(defaults).encode(records);
    const first = await post(req);
    assert.equal(first.status, 200);
    assert.equal(first.body.errors, false, JSON.stringify(first.body));
    assert.equal(receiver.documents.size, records.length);
    const expected = pairs(req.body);
    for (const { action, doc } of expected) {
      assert.deepEqual(receiver.documents.get(`${action.create!._index}/${action.create!._id}`), doc);
    }
    const second = await post(req);
    const statuses = (second.body.items as Record<string, { status: number }>[]).map((i) => i.create!.status);
    assert.deepEqual(
      statuses,
      records.map(() => 409),
    );
    assert.equal(receiver.documents.size, records.length);
  });

  test('data stream documents are accepted by a data stream (create + @timestamp)', async () => {
    const encoder = createBulkEncoder({ ...defaults, dataStream: 'logs-wirety.audit-default', op: 'index' });
    const res = await post(encoder.encode(makeRecords(3, 200)));
    assert.equal(res.body.errors, false, JSON.stringify(res.body));
  });
});
