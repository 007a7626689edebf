import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCredentials } from '../../../src/transport/credentials.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import { makeRecord, makeRecords } from '../../helpers/records.js';
import { splitConcatenatedJson, startHecReceiver } from '../../receivers/hec-receiver.js';
import type { HecReceiver } from '../../receivers/hec-receiver.js';

const TOKEN = 'receiver-test-token';
const CHANNEL_A = '11111111-2222-4333-8444-555555555555';
const CHANNEL_B = '99999999-8888-4777-8666-555555555555';
const metadata = { host: 'ship-1', source: 'wirety', sourcetype: 'wirety:audit', indexed_fields: ['action'] };

async function post(
  receiver: HecReceiver,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(receiver.url + path, { method: 'POST', body, headers });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const auth = { authorization: `Splunk ${TOKEN}` };

void describe('HEC test receiver', () => {
  let plain: HecReceiver;
  let acking: HecReceiver;
  before(async () => {
    plain = await startHecReceiver({ token: TOKEN, indexes: ['audit'] });
    acking = await startHecReceiver({ token: TOKEN, ack: true });
  });
  after(async () => {
    await plain.close();
    await acking.close();
  });

  void it('decodes exactly the envelopes the encoder sent, even with "}{" inside a string, over gzip', async () => {
    const tricky = makeRecord(
      100,
      '{"level":"info","log_type":"audit","time":1748000000,"action":"peer.update","peer_name":"a}{b\\"}{\\"c","message":"audit"}',
    );
    const records = [...makeRecords(3), tricky];
    const encoder = createHecEncoder(metadata);
    const request = encoder.encode(records);
    const text = Buffer.from(request.body).toString('utf8');
    // The naive split the receiver must not use would cut this body into more pieces than events.
    assert.ok(text.split('}{').length > records.length + 1);

    const transport = createHttpTransport({
      url: plain.url,
      timeoutMs: 5000,
      gzip: true,
      tls: { insecure_skip_verify: false },
      credentials: createCredentials({}, { scheme: 'Splunk', token: TOKEN })!,
    });
    try {
      const before = plain.events.length;
      const reply = await transport.send(request, new AbortController().signal);
      assert.equal(reply.kind === 'response' && reply.status, 200);
      assert.equal(plain.requests.at(-1)?.headers['content-encoding'], 'gzip');
      const got = plain.events.slice(before);
      assert.deepEqual(
        got.map((e) => e.raw),
        records.map((r) => encoder.envelope(r)),
      );
      assert.deepEqual(
        got.map((e) => e.event),
        records.map((r) => JSON.parse(r.line) as unknown),
      );
      assert.deepEqual(got[3]?.fields, { event_id: 'test-100', seq: '100', action: 'peer.update' });
      assert.equal(got[0]?.time, 1748000000);
    } finally {
      await transport.close();
    }
  });

  void it('splits concatenated JSON by structure, reporting the first malformed object', () => {
    assert.deepEqual(splitConcatenatedJson('{"a":"}{"}{"b":[1,{"c":"\\\\"}]} {"d":1}'), [
      '{"a":"}{"}',
      '{"b":[1,{"c":"\\\\"}]}',
      '{"d":1}',
    ]);
    assert.equal(splitConcatenatedJson('  \n'), 'empty');
    assert.equal(splitConcatenatedJson('{"a":1}{"b":'), 1);
    assert.equal(splitConcatenatedJson('{"a":1}x'), 1);
  });

  void it('checks Authorization like Splunk and follows a token change', async () => {
    const body = '{"event":{"x":1}}';
    assert.deepEqual(await post(plain, '/services/collector/event', body), {
      status: 401,
      json: { text: 'Token is required', code: 2 },
    });
    assert.deepEqual(
      await post(plain, '/services/collector/event', body, { authorization: `Bearer ${TOKEN}` }),
      {
        status: 401,
        json: { text: 'Invalid authorization', code: 3 },
      },
    );
    assert.deepEqual(await post(plain, '/services/collector/event', body, { authorization: 'Splunk nope' }), {
      status: 403,
      json: { text: 'Invalid token', code: 4 },
    });
    plain.setToken('rotated');
    try {
      assert.equal((await post(plain, '/services/collector/event', body, auth)).json.code, 4);
      assert.equal(
        (await post(plain, '/services/collector/event', body, { authorization: 'Splunk rotated' })).json.code,
        0,
      );
    } finally {
      plain.setToken(TOKEN);
    }
  });

  void it('answers bad bodies with the codes Splunk uses, naming the bad event and storing the ones before it', async () => {
    const cases: [string, number, number, number][] = [
      ['', 400, 5, 0],
      ['{"event":{"x":1}}{"event":', 400, 6, 1],
      ['{"event":{"x":1}}not json', 400, 6, 1],
      ['{"time":1}', 400, 12, 0],
      ['{"event":null}', 400, 12, 0],
      ['{"event":"  "}', 400, 13, 0],
      ['{"event":{}}', 400, 13, 0],
      ['{"event":{"x":1}}{"event":{"x":2},"fields":{"n":1}}{"event":{"x":3}}', 400, 15, 1],
      ['{"event":{"x":1},"index":"other"}', 400, 7, 0],
    ];
    for (const [body, status, code, stored] of cases) {
      const before = plain.events.length;
      const reply = await post(plain, '/services/collector/event', body, auth);
      assert.equal(reply.status, status, body);
      assert.equal(reply.json.code, code, body);
      assert.equal(reply.json.ackId, undefined, 'an error reply has no ackId');
      if (code !== 5) assert.equal(reply.json['invalid-event-number'], stored, body);
      assert.deepEqual(
        plain.events.slice(before).map((e) => e.event),
        [{ x: 1 }].slice(0, stored),
        `${body}: the events before the bad one are stored, no other`,
      );
    }

    const strict = await startHecReceiver({ token: TOKEN, invalidEventNumber: false });
    try {
      const reply = await post(strict, '/services/collector/event', '{"event":{"x":1}}{"event":""}', auth);
      assert.deepEqual(reply.json, { text: 'Event field cannot be blank', code: 13 });
      assert.deepEqual(strict.events, []);
    } finally {
      await strict.close();
    }
  });

  void it('refuses what setEventCheck says, by event number', async () => {
    plain.setEventCheck((e) => ((e.event as { x?: number }).x === 2 ? 15 : undefined));
    try {
      const before = plain.events.length;
      const body = '{"event":{"x":1}}{"event":{"x":2}}{"event":{"x":3}}';
      const reply = await post(plain, '/services/collector/event', body, auth);
      assert.deepEqual(reply.json, {
        text: 'Error in handling indexed fields',
        code: 15,
        'invalid-event-number': 1,
      });
      assert.deepEqual(
        plain.events.slice(before).map((e) => e.event),
        [{ x: 1 }],
      );
    } finally {
      plain.setEventCheck(undefined);
    }
  });

  void it('plays scripted codes for the next event requests, then behaves again', async () => {
    plain.replyNext(9, 8);
    const body = '{"event":{"x":1}}';
    assert.deepEqual(await post(plain, '/services/collector/event', body, auth), {
      status: 503,
      json: { text: 'Server is busy', code: 9 },
    });
    assert.equal((await post(plain, '/services/collector/event', body, auth)).status, 500);
    assert.deepEqual(await post(plain, '/services/collector/event', body, auth), {
      status: 200,
      json: { text: 'Success', code: 0 },
    });
    assert.equal((await post(plain, '/wrong/path', body, auth)).status, 404);
  });

  void it('with ack on: requires a GUID channel and numbers ackIds per channel', async () => {
    const body = '{"event":{"x":1}}';
    assert.deepEqual(await post(acking, '/services/collector/event', body, auth), {
      status: 400,
      json: { text: 'Data channel is missing', code: 10 },
    });
    assert.equal(
      (
        await post(acking, '/services/collector/event', body, {
          ...auth,
          'x-splunk-request-channel': 'not-a-guid',
        })
      ).json.code,
      11,
    );
    const a = { ...auth, 'x-splunk-request-channel': CHANNEL_A };
    const b = { ...auth, 'x-splunk-request-channel': CHANNEL_B };
    assert.deepEqual((await post(acking, '/services/collector/event', body, a)).json, {
      text: 'Success',
      code: 0,
      ackId: 0,
    });
    assert.equal((await post(acking, '/services/collector/event', body, a)).json.ackId, 1);
    assert.equal((await post(acking, '/services/collector/event', body, b)).json.ackId, 0);
    assert.equal(
      (await post(acking, `/services/collector/event?channel=${CHANNEL_B}`, body, auth)).json.ackId,
      1,
    );
    assert.deepEqual(
      acking.events.slice(-4).map((e) => [e.channel, e.ackId]),
      [
        [CHANNEL_A, 0],
        [CHANNEL_A, 1],
        [CHANNEL_B, 0],
        [CHANNEL_B, 1],
      ],
    );
  });

  void it('answers ack polls as the decider says, releasing ids once true', async () => {
    const channel = { ...auth, 'x-splunk-request-channel': '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e' };
    await post(acking, '/services/collector/event', '{"event":{"x":1}}', channel);
    await post(acking, '/services/collector/event', '{"event":{"x":2}}', channel);
    acking.setAckDecider((ackId, poll) => ackId === 0 && poll >= 2);
    try {
      const poll = () =>
        post(acking, '/services/collector/ack', JSON.stringify({ acks: [0, 1, 7] }), channel);
      assert.deepEqual((await poll()).json, { acks: { 0: false, 1: false, 7: false } });
      assert.deepEqual((await poll()).json, { acks: { 0: true, 1: false, 7: false } });
      assert.deepEqual((await poll()).json, { acks: { 0: false, 1: false, 7: false } });
      assert.deepEqual(acking.acksPolled.slice(-3), [
        [0, 1, 7],
        [0, 1, 7],
        [0, 1, 7],
      ]);
      acking.replyNextPoll(4);
      assert.equal((await poll()).status, 403);
    } finally {
      acking.setAckDecider(() => true);
    }
    assert.deepEqual(await post(plain, '/services/collector/ack', '{"acks":[0]}', auth), {
      status: 400,
      json: { text: 'ACK is disabled', code: 14 },
    });
  });

  void it('refusePolls answers every poll until cleared', async () => {
    const channel = { ...auth, 'x-splunk-request-channel': CHANNEL_A };
    acking.refusePolls({ status: 405, body: 'Method Not Allowed' });
    try {
      for (let i = 0; i < 2; i++) {
        const response = await fetch(acking.url + '/services/collector/ack', {
          method: 'POST',
          body: '{"acks":[0]}',
          headers: channel,
        });
        assert.equal(response.status, 405);
        assert.equal(await response.text(), 'Method Not Allowed');
      }
    } finally {
      acking.refusePolls(undefined);
    }
    assert.equal((await post(acking, '/services/collector/ack', '{"acks":[0]}', channel)).status, 200);
  });

  void it('behind the balancer: a sticky cookie pins a client to one indexer, each with its own ackIds', async () => {
    const lb = await startHecReceiver({ token: TOKEN, ack: true, indexers: 2 });
    try {
      const headers = { ...auth, 'x-splunk-request-channel': CHANNEL_A };
      const send = (extra: Record<string, string> = {}) =>
        fetch(lb.url + '/services/collector/event', {
          method: 'POST',
          body: '{"event":{"x":1}}',
          headers: { ...headers, ...extra },
        });
      // Without the cookie, requests take turns: both indexers hand out ackId 0 on this channel.
      const first = await send();
      const second = await send();
      assert.deepEqual(await first.json(), { text: 'Success', code: 0, ackId: 0 });
      assert.deepEqual(await second.json(), { text: 'Success', code: 0, ackId: 0 });
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      assert.equal(cookie, `hec_lb=${lb.balancer!.values[0]}`);
      assert.equal(second.headers.get('set-cookie')!.split(';')[0], `hec_lb=${lb.balancer!.values[1]}`);
      // With it, every request reaches indexer 0 and no new cookie is set.
      for (const ackId of [1, 2]) {
        const pinned = await send({ cookie });
        assert.equal(pinned.headers.get('set-cookie'), null);
        assert.equal(((await pinned.json()) as { ackId: number }).ackId, ackId);
      }
      assert.deepEqual(
        lb.events.map((e) => [e.indexer, e.ackId]),
        [
          [0, 0],
          [1, 0],
          [0, 1],
          [0, 2],
        ],
      );
      // A poll answers for the indexer it reaches.
      lb.setAckDecider((_id, _poll, indexer) => indexer === 1);
      const poll = await fetch(lb.url + '/services/collector/ack', {
        method: 'POST',
        body: '{"acks":[0]}',
        headers: { ...headers, cookie: `hec_lb=${lb.balancer!.values[1]}` },
      });
      assert.deepEqual(await poll.json(), { acks: { 0: true } });
      assert.deepEqual(lb.confirmations, [{ indexer: 1, channel: CHANNEL_A, ackId: 0 }]);
    } finally {
      await lb.close();
    }
  });
});
