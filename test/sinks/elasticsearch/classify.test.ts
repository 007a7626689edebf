import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/deliver/outcome.js';
import { classifyBulkReply, MAX_REASON_CHARS } from '../../../src/sinks/elasticsearch/classify.js';
import { documentId } from '../../../src/sinks/elasticsearch/encode.js';
import { makeRecords } from '../../helpers/records.js';

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
  error?: { type: string; reason: string; caused_by?: object };
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

  test('a mixed reply: successes and 409-on-create delivered, 429/5xx/unknown retried, 400/403/404 rejected', () => {
    const outcome = classifyBulkReply(bulk(mix), all);
    assert.equal(outcome.kind, 'partial');
    if (outcome.kind !== 'partial') return;
    assert.deepEqual(outcome.retry, [3, 4, 9, 10, 11]);
    assert.deepEqual(
      outcome.rejected.map((r) => r.index),
      [5, 6, 7, 8],
    );
    assert.equal(
      outcome.rejected[0]!.reason,
      '400 mapper_parsing_exception: failed to parse field [time] of type [date] (caused by illegal_argument_exception: failed to parse date field [x])',
    );
    assert.equal(outcome.rejected[1]!.reason, '400 document_parsing_exception: [1:15] failed to parse');
    assert.match(outcome.rejected[2]!.reason, /^403 security_exception: /);
    assert.match(outcome.rejected[3]!.reason, /^404 index_not_found_exception: no such index/);
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

  test('cluster-state errors are retried even with a permanent-looking status', () => {
    const specs: ItemSpec[] = [
      {
        status: 403,
        error: {
          type: 'cluster_block_exception',
          reason: 'index [a] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)]',
        },
      },
      {
        status: 400,
        error: {
          type: 'illegal_argument_exception',
          reason: 'pipeline with id [audit-enrich] does not exist',
        },
      },
      { status: 201 },
    ];
    const outcome = classifyBulkReply(bulk(specs), records);
    assert.deepEqual(pick(outcome, ['kind', 'retry', 'rejected']), {
      kind: 'partial',
      retry: [0, 1],
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

function pick(outcome: Outcome, keys: string[]): Record<string, unknown> {
  const source = outcome as unknown as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}
