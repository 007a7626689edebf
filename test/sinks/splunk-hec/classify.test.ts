import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpReply, Outcome } from '../../../src/contract/outcome.js';
import type { HecAckMode } from '../../../src/sinks/splunk-hec/ack-fallback.js';
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
  readonly ack?: HecAckMode;
  /** Envelopes in the request; default 5. */
  readonly count?: number;
  readonly expect: Outcome;
}

const ACK_OFF_MESSAGE =
  "Splunk HEC: the token has indexer acknowledgement off: events are counted on HEC's 200; enable useACK on the token for end-to-end confirmation";
const NON_HEC_MESSAGE =
  'Splunk HEC: the 2xx reply is not from Splunk HEC (a proxy?): events are counted on the status alone; check the sink url and any proxy in front of HEC';

const table: Row[] = [
  { name: 'code 0 → delivered', reply: hec(200, 0, 'Success'), expect: { kind: 'delivered' } },
  {
    name: 'code 0 with ack → awaiting_ack with the id',
    ack: 'on',
    reply: hec(200, 0, 'Success', { ackId: 12 }),
    expect: { kind: 'awaiting_ack', ackId: 12 },
  },
  {
    name: 'ackId 0 is a real id',
    ack: 'required',
    reply: hec(200, 0, 'Success', { ackId: 0 }),
    expect: { kind: 'awaiting_ack', ackId: 0 },
  },
  {
    name: 'ack on but no ackId (token has ack off) → delivered on the 200, unconfirmed, never re-sent',
    ack: 'on',
    reply: hec(200, 0, 'Success'),
    expect: {
      kind: 'delivered',
      unconfirmed: {
        code: 'ack_off',
        message: ACK_OFF_MESSAGE,
        detail: 'HEC code 0: Success (HTTP 200) without an ackId',
      },
    },
  },
  {
    name: 'ack on and a non-numeric ackId → the same',
    ack: 'on',
    reply: hec(200, 0, 'Success', { ackId: '3' }),
    expect: {
      kind: 'delivered',
      unconfirmed: {
        code: 'ack_off',
        message: ACK_OFF_MESSAGE,
        detail: 'HEC code 0: Success (HTTP 200) without an ackId',
      },
    },
  },
  {
    name: 'ack.required and no ackId → blocked, saying what to change',
    ack: 'required',
    reply: hec(200, 0, 'Success'),
    expect: {
      kind: 'blocked',
      reason:
        'ack.required is set but the token has indexer acknowledgement off (HEC code 0: Success (HTTP 200) without an ackId): ' +
        'enable useACK on the token, or unset ack.required. Events are kept and sent again at the maximum backoff; ' +
        'a copy HEC accepts meanwhile may be indexed twice',
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
    [21, 400, 'Invalid token'],
    [22, 400, 'Token disabled'],
    [10, 400, 'Data channel is missing'],
    [11, 400, 'Invalid data channel'],
    [14, 400, 'ACK is disabled'],
    [16, 400, 'Query string authorization is not enabled'],
  ].map(([code, status, text]): Row => ({
    name: `code ${code} → blocked`,
    reply: hec(status as number, code as number, text as string),
    expect: { kind: 'blocked', reason: `HEC code ${code}: ${text}` },
  })),
  {
    name: 'code 7 (index not allowed for the token) → blocked with what to fix, never dead-lettered',
    reply: hec(400, 7, 'Incorrect index'),
    expect: {
      kind: 'blocked',
      reason:
        "HEC code 7: Incorrect index (the token may not write to the configured index: fix the sink's `index` or the token's allowed indexes)",
    },
  },
  ...[
    [5, 'No data'],
    [6, 'Invalid data format'],
    [12, 'Event field is required'],
    [13, 'Event field cannot be blank'],
    [15, 'Error in handling indexed fields'],
  ].flatMap(([code, text]): Row[] => [
    {
      name: `code ${code} without invalid-event-number → bisect`,
      reply: hec(400, code as number, text as string),
      expect: { kind: 'bisect', reason: `HEC code ${code}: ${text}` },
    },
    {
      name: `code ${code} with invalid-event-number 2 → [0,2) delivered, 2 dead-lettered, (2,end] re-sent`,
      reply: hec(400, code as number, text as string, { 'invalid-event-number': 2 }),
      expect: {
        kind: 'partial',
        retry: [3, 4],
        rejected: [{ index: 2, reason: `HEC code ${code}: ${text}` }],
        retryReason: `HEC refused event 2 of the request (HEC code ${code}: ${text}) and did not index the ones after it`,
      },
    },
  ]),
  {
    name: 'invalid-event-number 0 with ack on (no ackId in an error reply) → 0 dead-lettered, the rest re-sent',
    ack: 'on',
    reply: hec(400, 15, 'Error in handling indexed fields', { 'invalid-event-number': 0 }),
    count: 3,
    expect: {
      kind: 'partial',
      retry: [1, 2],
      rejected: [{ index: 0, reason: 'HEC code 15: Error in handling indexed fields' }],
      retryReason:
        'HEC refused event 0 of the request (HEC code 15: Error in handling indexed fields) and did not index the ones after it',
    },
  },
  {
    name: 'invalid-event-number of the last event, as text → nothing to re-send',
    reply: hec(400, 6, 'Invalid data format', { 'invalid-event-number': '4' }),
    expect: {
      kind: 'partial',
      retry: [],
      rejected: [{ index: 4, reason: 'HEC code 6: Invalid data format' }],
      retryReason:
        'HEC refused event 4 of the request (HEC code 6: Invalid data format) and did not index the ones after it',
    },
  },
  ...[5, -1, 1.5, 'x', null].map((n): Row => ({
    name: `invalid-event-number ${JSON.stringify(n)} (not an event of the request) → bisect`,
    reply: hec(400, 6, 'Invalid data format', { 'invalid-event-number': n }),
    expect: { kind: 'bisect', reason: 'HEC code 6: Invalid data format' },
  })),
  ...[
    ['a non-HEC 200', raw(200, '<html>ok</html>'), 'HTTP 200: <html>ok</html>'],
    ['an empty 200', raw(200, ''), 'HTTP 200: (empty body)'],
    ['a 204 from a proxy', raw(204, ''), 'HTTP 204: (empty body)'],
    [
      'code 17 (health) on a 200',
      hec(200, 17, 'HEC is healthy'),
      'HTTP 200: {"text":"HEC is healthy","code":17}',
    ],
  ].flatMap(([what, reply, detail]): Row[] => [
    {
      name: `${what as string} → delivered on the status with a warning, never re-sent`,
      reply: reply as HttpReply,
      expect: {
        kind: 'delivered',
        unconfirmed: { code: 'non_hec_reply', message: NON_HEC_MESSAGE, detail: detail as string },
      },
    },
    {
      name: `${what as string} with ack.required → blocked`,
      ack: 'required',
      reply: reply as HttpReply,
      expect: {
        kind: 'blocked',
        reason:
          `ack.required is set but the 2xx reply is not from Splunk HEC (a proxy?) (${detail as string}): ` +
          'check the sink url and any proxy in front of HEC, or unset ack.required. Events are kept and sent ' +
          'again at the maximum backoff; a copy HEC accepts meanwhile may be indexed twice',
      },
    },
  ]),
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

void describe('HEC reply classification (docs/receivers.md §3)', () => {
  for (const row of table) {
    void it(row.name, () => {
      assert.deepEqual(classifyHecReply(row.reply, row.count ?? 5, row.ack ?? 'off'), row.expect);
    });
  }

  void it('without ack, an ackId in a success reply is still just delivered', () => {
    assert.deepEqual(classifyHecReply(hec(200, 0, 'Success', { ackId: 4 }), 5, 'off'), {
      kind: 'delivered',
    });
  });

  void it('a huge error body is quoted only in part', () => {
    const outcome = classifyHecReply(raw(400, 'x'.repeat(10_000)), 5, 'off');
    assert.equal(outcome.kind, 'rejected');
    assert.ok(outcome.kind === 'rejected' && outcome.reason.length < 250);
  });
});
