import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/deliver/outcome.js';
import { classifyHecReply } from '../../../src/sinks/splunk-hec/classify.js';

const hec = (
  status: number,
  code: number,
  text: string,
  extra: object = {},
  headers: Record<string, string> = {},
) => ({ kind: 'response', status, headers, body: JSON.stringify({ text, code, ...extra }) }) as const;
const raw = (status: number, body: string, headers: Record<string, string> = {}): HttpReply => ({
  kind: 'response',
  status,
  headers,
  body,
});

interface Row {
  readonly name: string;
  readonly reply: HttpReply;
  readonly ack?: boolean;
  readonly expect: Outcome;
}

const table: Row[] = [
  { name: 'code 0 → delivered', reply: hec(200, 0, 'Success'), expect: { kind: 'delivered' } },
  {
    name: 'code 0 with ack → awaiting_ack with the id',
    ack: true,
    reply: hec(200, 0, 'Success', { ackId: 12 }),
    expect: { kind: 'awaiting_ack', ackId: 12 },
  },
  {
    name: 'ackId 0 is a real id',
    ack: true,
    reply: hec(200, 0, 'Success', { ackId: 0 }),
    expect: { kind: 'awaiting_ack', ackId: 0 },
  },
  {
    name: 'ack on but no ackId → retry, never delivered',
    ack: true,
    reply: hec(200, 0, 'Success'),
    expect: {
      kind: 'retry',
      class: 'server_error',
      reason: 'HEC accepted the request but sent no ackId although acknowledgement is on',
    },
  },
  {
    name: 'ack on and a non-numeric ackId → retry',
    ack: true,
    reply: hec(200, 0, 'Success', { ackId: '3' }),
    expect: {
      kind: 'retry',
      class: 'server_error',
      reason: 'HEC accepted the request but sent no ackId although acknowledgement is on',
    },
  },
  {
    name: 'code 8 → retry',
    reply: hec(500, 8, 'Internal server error'),
    expect: { kind: 'retry', class: 'server_error', reason: 'HEC code 8: Internal server error (HTTP 500)' },
  },
  {
    name: 'code 9 busy → retry with the raw Retry-After',
    reply: hec(503, 9, 'Server is busy', {}, { 'retry-after': '7' }),
    expect: {
      kind: 'retry',
      class: 'rate_limited',
      reason: 'HEC code 9: Server is busy (HTTP 503)',
      retryAfter: '7',
    },
  },
  ...[18, 19, 20].map((code): Row => ({
    name: `code ${code} unhealthy → retry`,
    reply: hec(503, code, 'HEC is unhealthy'),
    expect: { kind: 'retry', class: 'server_error', reason: `HEC code ${code}: HEC is unhealthy (HTTP 503)` },
  })),
  ...[
    [1, 403, 'Token disabled'],
    [2, 401, 'Token is required'],
    [3, 401, 'Invalid authorization'],
    [4, 403, 'Invalid token'],
    [10, 400, 'Data channel is missing'],
    [11, 400, 'Invalid data channel'],
    [14, 400, 'ACK is disabled'],
    [16, 400, 'Query string authorization is not enabled'],
  ].map(([code, status, text]): Row => ({
    name: `code ${code} → blocked`,
    reply: hec(status as number, code as number, text as string),
    expect: { kind: 'blocked', reason: `HEC code ${code}: ${text}` },
  })),
  ...[
    [5, 'No data'],
    [6, 'Invalid data format'],
    [7, 'Incorrect index'],
    [12, 'Event field is required'],
    [13, 'Event field cannot be blank'],
    [15, 'Error in handling indexed fields'],
  ].map(([code, text]): Row => ({
    name: `code ${code} → rejected`,
    reply: hec(400, code as number, text as string),
    expect: { kind: 'rejected', reason: `HEC code ${code}: ${text}` },
  })),
  {
    name: 'unparseable 200 → retry (never assume success)',
    reply: raw(200, '<html>ok</html>'),
    expect: {
      kind: 'retry',
      class: 'server_error',
      reason: 'unrecognised HEC reply to a 2xx: HTTP 200: <html>ok</html>',
    },
  },
  {
    name: 'empty 200 → retry',
    reply: raw(200, ''),
    expect: {
      kind: 'retry',
      class: 'server_error',
      reason: 'unrecognised HEC reply to a 2xx: HTTP 200: (empty body)',
    },
  },
  {
    name: 'code 17 (health endpoint) on 200 → retry, not success',
    reply: hec(200, 17, 'HEC is healthy'),
    expect: {
      kind: 'retry',
      class: 'server_error',
      reason: 'unrecognised HEC reply to a 2xx: HTTP 200: {"text":"HEC is healthy","code":17}',
    },
  },
  {
    name: 'unparseable 401 → blocked',
    reply: raw(401, 'Unauthorized'),
    expect: { kind: 'blocked', reason: 'HTTP 401: Unauthorized' },
  },
  {
    name: 'unparseable 403 → blocked',
    reply: raw(403, 'Forbidden'),
    expect: { kind: 'blocked', reason: 'HTTP 403: Forbidden' },
  },
  {
    name: '404 (wrong URL) → blocked, not dead-lettered',
    reply: raw(404, '{"text":"The requested URL was not found on this server.","code":404}'),
    expect: {
      kind: 'blocked',
      reason: 'HTTP 404: {"text":"The requested URL was not found on this server.","code":404}',
    },
  },
  {
    name: '413 → split',
    reply: raw(413, 'too large'),
    expect: { kind: 'split', reason: 'HTTP 413: too large' },
  },
  {
    name: '413 with a JSON body → split',
    reply: hec(413, 27, 'Content too large'),
    expect: { kind: 'split', reason: 'HTTP 413: {"text":"Content too large","code":27}' },
  },
  {
    name: 'unparseable 400 → rejected',
    reply: raw(400, 'bad'),
    expect: { kind: 'rejected', reason: 'HTTP 400: bad' },
  },
  {
    name: '429 → retry with Retry-After',
    reply: raw(429, 'slow down', { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }),
    expect: {
      kind: 'retry',
      class: 'rate_limited',
      reason: 'HTTP 429: slow down',
      retryAfter: 'Wed, 21 Oct 2026 07:28:00 GMT',
    },
  },
  {
    name: '408 → retry',
    reply: raw(408, ''),
    expect: { kind: 'retry', class: 'timeout', reason: 'HTTP 408: (empty body)' },
  },
  {
    name: 'unparseable 502 → retry',
    reply: raw(502, 'Bad Gateway'),
    expect: { kind: 'retry', class: 'server_error', reason: 'HTTP 502: Bad Gateway' },
  },
  {
    name: 'network error → retry',
    reply: { kind: 'network_error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8088' },
    expect: {
      kind: 'retry',
      class: 'network',
      reason: 'network error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8088',
    },
  },
  {
    name: 'timeout → retry',
    reply: { kind: 'timeout', afterMs: 10_000 },
    expect: { kind: 'retry', class: 'timeout', reason: 'no reply within 10000 ms' },
  },
];

void describe('HEC reply classification (PROTOCOLS.md §3)', () => {
  for (const row of table) {
    void it(row.name, () => {
      assert.deepEqual(classifyHecReply(row.reply, row.ack ?? false), row.expect);
    });
  }

  void it('without ack, an ackId in a success reply is still just delivered', () => {
    assert.deepEqual(classifyHecReply(hec(200, 0, 'Success', { ackId: 4 }), false), { kind: 'delivered' });
  });

  void it('a huge error body is quoted only in part', () => {
    const outcome = classifyHecReply(raw(400, 'x'.repeat(10_000)), false);
    assert.equal(outcome.kind, 'rejected');
    assert.ok(outcome.kind === 'rejected' && outcome.reason.length < 250);
  });
});
