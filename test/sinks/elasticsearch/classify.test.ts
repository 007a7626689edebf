import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/contract/outcome.js';
import { classifyBulkReply, MAX_REASON_CHARS } from '../../../src/sinks/elasticsearch/classify.js';
import { createBulkEncoder, documentId } from '../../../src/sinks/elasticsearch/encode.js';
import { makeRecords } from '../../helpers/records.js';
import { esItemErrors } from '../../receivers/es-item-errors.js';

const records = makeRecords(3);

function response(
  status: number,
  body: string | object = '',
  headers: Record<string, string> = {},
): HttpReply {
  return { kind: 'response', status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const esError = (type: string, reason: string) => ({
  error: { root_cause: [{ type, reason }], type, reason },
  status: 400,
});

type ItemSpec = {
  status?: number;
  error?: { type: string; reason: string; [field: string]: unknown };
  op?: string;
  id?: string;
};

/** A bulk reply for `records`, one item per spec, in order. */
function bulk(
  specs: ItemSpec[],
  errors = specs.some((s) => (s.status ?? 201) >= 300),
  headers = {},
): HttpReply {
  const items = specs.map((s, i) => ({
    [s.op ?? 'create']: {
      _index: 'wirety-audit-2025.05.23',
      _id: s.id ?? documentId(makeRecords(specs.length)[i]!.id),
      ...('status' in s ? { status: s.status } : {}),
      ...(s.error ? { error: s.error } : { result: 'created' }),
    },
  }));
  return response(200, { took: 3, errors, items }, headers);
}

describe('whole-request replies', () => {
  const rows: [string, HttpReply, Partial<Outcome> & { kind: Outcome['kind'] }, RegExp?][] = [
    [
      'connection refused',
      { kind: 'network_error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
      { kind: 'retry', class: 'network' },
    ],
    ['timeout', { kind: 'timeout', afterMs: 30_000 }, { kind: 'retry', class: 'timeout' }],
    [
      '429 with Retry-After',
      response(429, esError('es_rejected_execution_exception', 'busy'), { 'retry-after': '7' }),
      { kind: 'retry', class: 'rate_limited', retryAfter: '7' },
    ],
    ['502', response(502, '<html>bad gateway</html>'), { kind: 'retry', class: 'server_error' }],
    [
      '503 with an HTTP-date Retry-After',
      response(503, '', { 'retry-after': 'Wed, 21 Oct 2025 07:28:00 GMT' }),
      { kind: 'retry', class: 'server_error', retryAfter: 'Wed, 21 Oct 2025 07:28:00 GMT' },
    ],
    ['504', response(504), { kind: 'retry', class: 'server_error' }],
    ['500', response(500, esError('exception', 'boom')), { kind: 'retry', class: 'server_error' }],
    ['408', response(408), { kind: 'retry', class: 'timeout' }],
    ['413 (empty body, Connection: close)', response(413, '', { connection: 'close' }), { kind: 'split' }],
    [
      '401',
      response(401, esError('security_exception', 'unable to authenticate user [shipper]')),
      { kind: 'blocked' },
    ],
    ['403', response(403, esError('security_exception', 'unauthorized')), { kind: 'blocked' }],
    ['404 (wrong URL)', response(404, 'Not Found'), { kind: 'blocked' }],
    [
      '400 "no handler found" (wrong path prefix)',
      response(400, { error: 'no handler found for uri [/es/_bulk] and method [POST]', status: 400 }),
      { kind: 'blocked' },
    ],
    ['405', response(405, { error: 'Incorrect HTTP method', status: 405 }), { kind: 'blocked' }],
    ['301 redirect', response(301, ''), { kind: 'blocked' }],
    [
      '400 with an ES error',
      response(
        400,
        esError('illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'),
      ),
      { kind: 'rejected' },
      /^400 illegal_argument_exception: The bulk request must be terminated by a newline/,
    ],
    [
      '200 that is not JSON',
      response(200, '<html>proxy login</html>'),
      { kind: 'retry', class: 'server_error' },
      /not JSON/,
    ],
    ['200 without items', response(200, { took: 1, errors: false }), { kind: 'retry' }, /no items/],
    [
      '200 errors:false with fewer items than records',
      bulk([{ status: 201 }, { status: 201 }], false),
      { kind: 'retry' },
      /2 items for 3 documents/,
    ],
    [
      '200 errors:false, every item 201',
      bulk([{ status: 201 }, { status: 201 }, { status: 201 }], false),
      { kind: 'delivered' },
    ],
  ];
  for (const [label, reply, expected, reason] of rows) {
    test(label, () => {
      const outcome = classifyBulkReply(reply, records);
      assert.deepEqual(pick(outcome, Object.keys(expected)), expected);
      if (reason) assert.match((outcome as { reason?: string }).reason ?? '', reason);
    });
  }

  test('a long error reason is cut to about 1 KiB', () => {
    const outcome = classifyBulkReply(
      response(400, esError('illegal_argument_exception', 'x'.repeat(5000))),
      records,
    );
    assert.equal(outcome.kind, 'rejected');
    const reason = (outcome as { reason: string }).reason;
    assert.ok(reason.length <= MAX_REASON_CHARS + 10, `reason is ${reason.length} chars`);
  });

  test('an auth failure reason does not echo the body (it can name the user)', () => {
    const outcome = classifyBulkReply(
      response(401, esError('security_exception', 'unable to authenticate user [shipper]')),
      records,
    );
    assert.doesNotMatch((outcome as { reason: string }).reason, /shipper/);
  });
});

describe('per-item results', () => {
  const all = makeRecords(12);
  const mix: ItemSpec[] = [
    { status: 201 },
    { status: 200, op: 'index' },
    {
      status: 409,
      error: {
        type: 'version_conflict_engine_exception',
        reason: '[x]: version conflict, document already exists',
      },
    },
    { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' } },
    { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } },
    {
      status: 400,
      error: {
        type: 'mapper_parsing_exception',
        reason: 'failed to parse field [time] of type [date]',
        caused_by: { type: 'illegal_argument_exception', reason: 'failed to parse date field [x]' },
      },
    },
    { status: 400, error: { type: 'document_parsing_exception', reason: '[1:15] failed to parse' } },
    {
      status: 403,
      error: { type: 'security_exception', reason: 'action [indices:data/write/bulk[s]] is unauthorized' },
    },
    { status: 404, error: { type: 'index_not_found_exception', reason: 'no such index [wirety-audit]' } },
    { status: 418, error: { type: 'teapot_exception', reason: 'unknown to us' } },
    {},
    {
      status: 409,
      op: 'index',
      error: { type: 'version_conflict_engine_exception', reason: 'seq_no conflict' },
    },
  ];

  test('a mixed reply: successes and 409-on-create delivered, 429/5xx/unknown retried, 400 rejected, 403/404 kept as blocked', () => {
    const { indexOf } = createBulkEncoder({ index: 'wirety-audit-%Y.%m.%d', op: 'create' });
    const outcome = classifyBulkReply(bulk(mix), all, indexOf);
    assert.equal(outcome.kind, 'partial');
    if (outcome.kind !== 'partial') return;
    assert.deepEqual(outcome.retry, [3, 4, 7, 8, 9, 10, 11]);
    assert.deepEqual(
      outcome.rejected.map((r) => r.index),
      [5, 6],
    );
    assert.equal(
      outcome.rejected[0]!.reason,
      '400 mapper_parsing_exception: failed to parse field [time] of type [date] (caused by illegal_argument_exception: failed to parse date field [x])',
    );
    assert.equal(outcome.rejected[1]!.reason, '400 document_parsing_exception: [1:15] failed to parse');
    assert.match(outcome.blockedReason ?? '', /^2 of 12 items refused by the cluster's set-up: /);
    assert.match(
      outcome.blockedReason ?? '',
      /1× 403 security_exception on index \[wirety-audit-2025\.05\.23\]/,
    );
    assert.match(
      outcome.blockedReason ?? '',
      /1× 404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: .*no such index \[wirety-audit\]/,
    );
    assert.match(outcome.retryReason, /429 es_rejected_execution_exception/);
    assert.match(outcome.retryReason, /503 unavailable_shards_exception/);
    assert.equal(outcome.retryAfter, undefined);
  });

  test('the whole-response Retry-After is passed on with a partial', () => {
    const outcome = classifyBulkReply(bulk(mix, true, { 'retry-after': '12' }), all);
    assert.equal(outcome.kind === 'partial' && outcome.retryAfter, '12');
  });

  test('errors:false is not trusted: a failed item is still caught', () => {
    const outcome = classifyBulkReply(
      bulk([{ status: 201 }, { status: 400, error: { type: 'x', reason: 'y' } }, { status: 201 }], false),
      records,
    );
    assert.deepEqual(outcome, {
      kind: 'partial',
      retry: [],
      rejected: [{ index: 1, reason: '400 x: y' }],
      retryReason: '',
    });
  });

  test('errors:true but every item stored or already stored → delivered', () => {
    const specs: ItemSpec[] = [
      { status: 201 },
      { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } },
      { status: 200 },
    ];
    assert.deepEqual(classifyBulkReply(bulk(specs, true), records), { kind: 'delivered' });
  });

  test('every item 429 → a rate-limited retry of the whole batch', () => {
    const specs = records.map(() => ({
      status: 429,
      error: { type: 'es_rejected_execution_exception', reason: 'busy' },
    }));
    const outcome = classifyBulkReply(bulk(specs, true, { 'retry-after': '3' }), records);
    assert.deepEqual(pick(outcome, ['kind', 'class', 'retryAfter']), {
      kind: 'retry',
      class: 'rate_limited',
      retryAfter: '3',
    });
  });

  test('a cluster still starting (SERVICE_UNAVAILABLE block) is retried at the usual backoff, not blocked', () => {
    const specs: ItemSpec[] = [esItemErrors.stateNotRecovered(), { status: 201 }, { status: 201 }];
    const outcome = classifyBulkReply(bulk(specs), records);
    assert.deepEqual(pick(outcome, ['kind', 'retry', 'rejected', 'blockedReason']), {
      kind: 'partial',
      retry: [0],
      rejected: [],
    });
  });

  test('an item about another _id than the record at its position → retry, never a wrong attribution', () => {
    const outcome = classifyBulkReply(
      bulk([
        { status: 201 },
        { status: 400, id: 'someone-else', error: { type: 'x', reason: 'y' } },
        { status: 201 },
      ]),
      records,
    );
    assert.equal(outcome.kind, 'retry');
    assert.match((outcome as { reason: string }).reason, /someone-else/);
  });

  test('a long item reason is cut to about 1 KiB', () => {
    const outcome = classifyBulkReply(
      bulk([
        { status: 400, error: { type: 'x', reason: 'r'.repeat(4000) } },
        { status: 201 },
        { status: 201 },
      ]),
      records,
    );
    assert.ok(outcome.kind === 'partial' && outcome.rejected[0]!.reason.length <= MAX_REASON_CHARS + 10);
  });
});

describe('item errors about the set-up, not the document', () => {
  const INDEX = 'wirety-audit-2025.05.23';
  const { indexOf } = createBulkEncoder({ index: 'wirety-audit-%Y.%m.%d', op: 'create' });
  const pipelineMissing: ItemSpec = {
    status: 400,
    error: { type: 'illegal_argument_exception', reason: 'pipeline with id [audit-enrich] does not exist' },
  };
  const dataStreamIndexOp: ItemSpec = {
    status: 400,
    error: {
      type: 'illegal_argument_exception',
      reason: 'only write ops with an op_type of create are allowed in data streams',
    },
  };
  const closed: ItemSpec = {
    status: 400,
    error: { type: 'index_closed_exception', reason: 'closed', index_uuid: 'x1', index: INDEX },
  };
  // [label, the item, blocked (with what the message must say) | 'rejected' | 'retry']
  const rows: [string, ItemSpec, RegExp | 'rejected' | 'retry'][] = [
    [
      '403 security_exception on the bulk write',
      esItemErrors.securityException(INDEX),
      /1× 403 security_exception on index \[wirety-audit-2025\.05\.23\]: the credentials may not write to this index: grant the create_doc index privilege .*action \[indices:data\/write\/bulk\[s\]\], granted by \[create_doc,create,delete,index,write,all\]/,
    ],
    [
      '403 security_exception on auto-creating the index',
      esItemErrors.autoCreateDenied(INDEX),
      /may not create this index: grant the auto_configure \(or create_index\) index privilege/,
    ],
    [
      '404 index_not_found_exception (auto-create off)',
      esItemErrors.indexNotFound(INDEX),
      /1× 404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: the index does not exist .*action\.auto_create_index \(Elasticsearch: no such index/,
    ],
    [
      '400 illegal_argument_exception "no write index is defined for alias"',
      esItemErrors.noWriteIndex('wirety-audit'),
      /alias \[wirety-audit\] points to several indices and none is its write index: set "is_write_index": true/,
    ],
    [
      '429 cluster_block_exception: flood-stage watermark (read-only-allow-delete)',
      esItemErrors.floodStage(INDEX),
      /1× 429 cluster_block_exception on index \[wirety-audit-2025\.05\.23\]: disk usage passed the flood-stage watermark .*free disk space/,
    ],
    [
      '403 cluster_block_exception: read-only / allow delete (before 7.4)',
      esItemErrors.readOnlyAllowDelete(INDEX),
      /flood-stage watermark.*index\.blocks\.read_only_allow_delete/,
    ],
    [
      '403 cluster_block_exception: index write block',
      esItemErrors.writeBlock(INDEX),
      /remove index\.blocks\.write/,
    ],
    ['400 missing ingest pipeline', pipelineMissing, /ingest pipeline \[audit-enrich\] does not exist/],
    ['400 op index on a data stream', dataStreamIndexOp, /this is a data stream: set the sink's data_stream/],
    ['400 index_closed_exception', closed, /the index is closed: open it/],
    ['400 mapper_parsing_exception (the document)', esItemErrors.mapperParsing(INDEX, 'x'), 'rejected'],
    [
      '400 illegal_argument_exception about the document (immense term)',
      esItemErrors.immenseTerm(INDEX),
      'rejected',
    ],
    ['503 cluster_block_exception: state not recovered', esItemErrors.stateNotRecovered(), 'retry'],
    ['429 es_rejected_execution_exception', esItemErrors.rejectedExecution(INDEX), 'retry'],
  ];
  for (const [label, spec, expected] of rows) {
    test(label, () => {
      const outcome = classifyBulkReply(bulk([spec, { status: 201 }, { status: 201 }]), records, indexOf);
      assert.equal(outcome.kind, 'partial');
      if (outcome.kind !== 'partial') return;
      if (expected === 'rejected') {
        assert.deepEqual(outcome.retry, []);
        assert.deepEqual(
          outcome.rejected.map((r) => r.index),
          [0],
        );
        assert.equal(outcome.blockedReason, undefined);
      } else if (expected === 'retry') {
        assert.deepEqual(outcome.retry, [0]);
        assert.equal(outcome.blockedReason, undefined, 'retried at the usual backoff');
      } else {
        assert.deepEqual(outcome.retry, [0], 'kept');
        assert.deepEqual(outcome.rejected, [], 'never dead-lettered');
        assert.match(outcome.blockedReason ?? '', /^1 of 3 items refused by the cluster's set-up: 1× /);
        assert.match(outcome.blockedReason ?? '', expected);
      }
    });
  }

  test('a security_exception message never repeats the user or API key id Elasticsearch names', () => {
    const outcome = classifyBulkReply(
      bulk(records.map(() => esItemErrors.securityException(INDEX))),
      records,
      indexOf,
    );
    assert.equal(outcome.kind, 'blocked');
    const reason = (outcome as { reason: string }).reason;
    assert.doesNotMatch(reason, /wirety-shipper|k3y-1d/);
  });

  test('every item blocked → the whole batch is blocked, the reason naming the index and the fix', () => {
    const outcome = classifyBulkReply(
      bulk(records.map(() => esItemErrors.indexNotFound(INDEX))),
      records,
      indexOf,
    );
    assert.equal(outcome.kind, 'blocked');
    assert.match(
      (outcome as { reason: string }).reason,
      /^3 of 3 items refused by the cluster's set-up: 3× 404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: .*create it/,
    );
  });

  test('the index comes from where the record was sent when the error does not name it', () => {
    const outcome = classifyBulkReply(
      bulk([esItemErrors.securityException('whatever'), { status: 201 }, { status: 201 }]),
      records,
      () => 'sent-here',
    );
    assert.match((outcome as { blockedReason?: string }).blockedReason ?? '', /on index \[sent-here\]/);
  });

  test('blocked, retried, rejected and delivered items in one reply: one pending set of the kept ones', () => {
    const four = makeRecords(4);
    const outcome = classifyBulkReply(
      bulk(
        [
          { status: 201 },
          esItemErrors.securityException(INDEX),
          esItemErrors.rejectedExecution(INDEX),
          esItemErrors.mapperParsing(INDEX, 'x'),
        ],
        true,
        { 'retry-after': '5' },
      ),
      four,
      indexOf,
    );
    assert.deepEqual(pick(outcome, ['kind', 'retry', 'retryAfter']), {
      kind: 'partial',
      retry: [1, 2],
      retryAfter: '5',
    });
    assert.ok(outcome.kind === 'partial');
    assert.deepEqual(
      outcome.rejected.map((r) => r.index),
      [3],
    );
    assert.match(outcome.retryReason, /1× 429 es_rejected_execution_exception/);
    assert.match(outcome.blockedReason ?? '', /^1 of 4 items/);
  });

  test('distinct faults: the first three are spelled out, the rest counted', () => {
    const five = makeRecords(5);
    const outcome = classifyBulkReply(
      bulk(['a', 'b', 'c', 'd', 'e'].map((index) => esItemErrors.indexNotFound(index))),
      five,
      indexOf,
    );
    const reason = (outcome as { reason: string }).reason;
    assert.match(reason, /index \[a\].*index \[b\].*index \[c\].* \(\+2 more\)$/);
    assert.doesNotMatch(reason, /index \[d\]/);
  });
});

describe('a 2xx reply cut at the read limit', () => {
  const truncated = (reply: HttpReply): HttpReply => ({ ...reply, truncated: true }) as HttpReply;

  test('several documents: split, never read as a whole reply or resent as the same batch', () => {
    const cut = truncated(response(200, '{"errors":false,"items":[{"create":{"_id":"a","status":201}}'));
    const outcome = classifyBulkReply(cut, records);
    assert.equal(outcome.kind, 'split');
    assert.match((outcome as { reason: string }).reason, /longer than the read limit/);
  });

  test('even when the cut happens to leave valid JSON', () => {
    const outcome = classifyBulkReply(
      truncated(bulk([{ status: 201 }, { status: 201 }, { status: 201 }])),
      records,
    );
    assert.equal(outcome.kind, 'split');
  });

  test('one document: retried (its reply cannot be that long: not a bulk reply)', () => {
    const outcome = classifyBulkReply(truncated(response(200, 'x'.repeat(100))), records.slice(0, 1));
    assert.deepEqual(pick(outcome, ['kind', 'class']), { kind: 'retry', class: 'server_error' });
  });
});

function pick(outcome: Outcome, keys: string[]): Record<string, unknown> {
  const source = outcome as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}
