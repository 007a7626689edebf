/**
 * Splunk HEC with indexer acknowledgement behind a load balancer (docs/receivers.md §3): ackIds are
 * numbered per channel *per indexer*, so a poll that reaches another indexer can "confirm" the
 * wrong batch. The sink keeps the balancer's sticky cookie per channel, and polls each ackId with
 * the cookies that reached the indexer which handed it out. The receiver puts two indexers behind
 * a balancer that routes by cookie.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCredentials } from '../../../src/transport/credentials.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createHecAcknowledger, newChannelId } from '../../../src/sinks/splunk-hec/ack.js';
import { ackRequest } from '../../../src/sinks/splunk-hec/ack-reply.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import {
  createStickyTransport,
  type StickyTransport,
} from '../../../src/sinks/splunk-hec/sticky-transport.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { makeRecords } from '../../helpers/records.js';
import { startHecReceiver, type HecReceiver } from '../../receivers/hec-receiver.js';
import { STICKY_COOKIE } from '../../receivers/sticky-balancer.js';
import { expectedIds, startHecHarness, storedIds, TOKEN } from './hec-harness.js';

const live = new AbortController().signal;
const metadata = { host: 'h', source: 's', sourcetype: 'wirety:audit', indexed_fields: [] };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hec-balancer-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function balanced(
  options: { stickyMaxAgeSeconds?: number } = {},
): Promise<{ lb: HecReceiver; clock: FakeClock; sticky: StickyTransport; close: () => Promise<void> }> {
  const lb = await startHecReceiver({ token: TOKEN, ack: true, indexers: 2, ...options });
  const clock = createFakeClock();
  const http = createHttpTransport({
    url: lb.url,
    timeoutMs: 5_000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    credentials: createCredentials({}, { scheme: 'Splunk', token: TOKEN })!,
    connections: 2,
  });
  const sticky = createStickyTransport(http, clock);
  return {
    lb,
    clock,
    sticky,
    close: async () => {
      await sticky.close();
      await lb.close();
    },
  };
}

/** Advances the clock through every sleep from the `from`-th on until `promise` settles. */
async function drive<T>(clock: FakeClock, from: number, promise: Promise<T>): Promise<T> {
  let settled = false;
  let next = from;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  const since = Date.now();
  while (!settled) {
    if (Date.now() - since > 5_000) throw new Error('stuck');
    if (next < clock.sleeps.length) await clock.advance(clock.sleeps[next++]!);
    else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return promise;
}

void describe('Splunk HEC behind a load balancer', () => {
  void it('the first reply pins the channel: every later event post and ack poll carries the cookie and reaches that indexer', async () => {
    const { lb, sticky, close } = await balanced();
    try {
      const channel = newChannelId();
      const encoder = createHecEncoder(metadata, channel);
      const replies = [];
      for (let i = 0; i < 3; i++) replies.push(await sticky.send(encoder.encode(makeRecords(2)), live));
      await sticky.send(ackRequest(channel, [0, 1, 2]), live);
      assert.deepEqual(
        lb.routed.map((r) => r.indexer),
        [0, 0, 0, 0],
        'all on the indexer of the first reply',
      );
      const cookie = `${STICKY_COOKIE}=${lb.balancer!.values[0]}`;
      assert.deepEqual(
        lb.requests.map((r) => r.headers.cookie),
        [undefined, cookie, cookie, cookie],
      );
      assert.deepEqual(
        lb.confirmations.map((c) => [c.indexer, c.ackId]),
        [
          [0, 0],
          [0, 1],
          [0, 2],
        ],
      );
      for (const reply of replies) {
        assert.equal(reply.kind === 'response' && reply.headers['set-cookie'], undefined, 'not passed on');
      }
      // A proxy that echoes the cookie in an error body: the value never reaches a reason or a log.
      lb.replyNext({ status: 502, body: `no upstream for ${cookie}` });
      const echoed = await sticky.send(encoder.encode(makeRecords(1)), live);
      assert.equal(echoed.kind === 'response' && echoed.body, `no upstream for ${STICKY_COOKIE}=[redacted]`);
    } finally {
      await close();
    }
  });

  void it("honours the cookie's Max-Age: once it expires the balancer places the channel again", async () => {
    const { lb, clock, sticky, close } = await balanced({ stickyMaxAgeSeconds: 60 });
    try {
      const encoder = createHecEncoder(metadata, newChannelId());
      await sticky.send(encoder.encode(makeRecords(1)), live);
      await clock.advance(59_999);
      await sticky.send(encoder.encode(makeRecords(1)), live);
      await clock.advance(1);
      await sticky.send(encoder.encode(makeRecords(1)), live);
      await sticky.send(encoder.encode(makeRecords(1)), live);
      assert.deepEqual(
        lb.requests.map((r) => r.headers.cookie),
        [
          undefined,
          `${STICKY_COOKIE}=${lb.balancer!.values[0]}`,
          undefined,
          `${STICKY_COOKIE}=${lb.balancer!.values[1]}`,
        ],
      );
      assert.deepEqual(
        lb.routed.map((r) => r.indexer),
        [0, 0, 1, 1],
      );
    } finally {
      await close();
    }
  });

  void it("each ackId is polled where its batch went: one indexer's true never confirms the other's batch", async () => {
    const { lb, clock, sticky, close } = await balanced();
    const logger = createMemoryLogger();
    const channel = newChannelId();
    const acknowledger = createHecAcknowledger({
      transport: sticky,
      channel,
      clock,
      pollIntervalMs: 1_000,
      timeoutMs: 5_000,
      logger,
      routes: sticky,
    });
    try {
      // Two batches in flight before the balancer's cookie was known land on different indexers,
      // and each indexer numbers its first batch 0 on this channel.
      const encoder = createHecEncoder(metadata, channel);
      for (const value of lb.balancer!.values) {
        const request = encoder.encode(makeRecords(2));
        const reply = await sticky.send(
          { ...request, headers: { ...request.headers, cookie: `${STICKY_COOKIE}=${value}` } },
          live,
        );
        assert.equal(reply.kind === 'response' && (JSON.parse(reply.body) as { ackId?: unknown }).ackId, 0);
      }
      // Indexer 1 has its batch indexed at once; indexer 0 never indexes its own.
      lb.setAckDecider((_id, _poll, indexer) => indexer === 1);
      const from = clock.sleeps.length;
      const onIndexer0 = acknowledger.wait(0, live);
      const onIndexer1 = acknowledger.wait(0, live);
      assert.deepEqual(await drive(clock, from, Promise.all([onIndexer0, onIndexer1])), [false, true]);
      assert.deepEqual(
        lb.confirmations.map((c) => c.indexer),
        [1],
      );
      const polls = lb.routed.filter((r) => r.path === '/services/collector/ack');
      assert.ok(polls.some((p) => p.indexer === 0) && polls.some((p) => p.indexer === 1));
      assert.ok(!logger.entries.some((e) => /reused an ackId/.test(e.message)), 'not mistaken for a restart');
    } finally {
      await acknowledger.close();
      await close();
    }
  });

  for (const maxInFlight of [1, 2]) {
    void it(`the sink (max_in_flight ${maxInFlight}): each event stored once and confirmed by the indexer that stored it; no cookie value logged`, async () => {
      const h = await startHecHarness(dir, {
        ack: 'on',
        receiver: { indexers: 2 },
        maxInFlight,
      });
      try {
        // Indexer 0 takes a while; indexer 1 would say true to any id it knows.
        h.receiver.setAckDecider((_id, poll, indexer) => indexer === 1 || poll >= 2);
        await h.run(20);
        assert.deepEqual(
          [...storedIds(h.receiver)].sort(),
          [...expectedIds(20)].sort(),
          'each event exactly once',
        );
        for (const event of h.receiver.events) {
          assert.ok(
            h.receiver.confirmations.some(
              (c) => c.indexer === event.indexer && c.ackId === event.ackId && c.channel === event.channel,
            ),
            `event ${String(event.fields?.event_id)} confirmed by indexer ${event.indexer}, which stored it`,
          );
        }
        if (maxInFlight === 1) {
          assert.ok(
            h.receiver.routed.every((r) => r.indexer === 0),
            'everything on the indexer of the first reply',
          );
        }
        assert.equal(h.sink.delivered, 20);
        assert.equal(h.sink.retries.ack_timeout, undefined);
        const logged = JSON.stringify(h.logger.entries);
        for (const value of h.receiver.balancer!.values)
          assert.ok(!logged.includes(value), 'no cookie value in logs');
      } finally {
        await h.close();
      }
    });
  }

  void it("a Cookie header configured for the sink is kept and sent along with the balancer's", async () => {
    const h = await startHecHarness(dir, {
      ack: 'on',
      receiver: { indexers: 2 },
      headers: { Cookie: 'proxy_session=s3ss10n' },
    });
    try {
      await h.run(10);
      const lb = `${STICKY_COOKIE}=${h.receiver.balancer!.values[0]}`;
      assert.deepEqual(
        [...new Set(h.receiver.requests.map((r) => r.headers.cookie))],
        ['proxy_session=s3ss10n', `proxy_session=s3ss10n; ${lb}`],
      );
      assert.deepEqual(storedIds(h.receiver), expectedIds(10));
    } finally {
      await h.close();
    }
  });
});
