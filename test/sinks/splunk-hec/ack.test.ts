import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createCredentials } from '../../../src/transport/credentials.js';
import { createHttpTransport } from '../../../src/transport/http-transport.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import type { Acknowledger, Transport } from '../../../src/contract/sink.js';
import { createHecAcknowledger, newChannelId } from '../../../src/sinks/splunk-hec/ack.js';
import { classifyHecReply } from '../../../src/sinks/splunk-hec/classify.js';
import { createHecEncoder } from '../../../src/sinks/splunk-hec/encode.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { makeRecords } from '../../helpers/records.js';
import { startHecReceiver, type HecReceiver, type HecScript } from '../../receivers/hec-receiver.js';

const TOKEN = 'ack-test-token';
const POLL_MS = 1_000;
const TIMEOUT_MS = 5_500;

interface Driver {
  /** Advances the clock through each sleep the code under test starts, until `promise` settles. */
  drive<T>(promise: Promise<T>): Promise<T>;
  /** Waits for the next sleep not yet advanced through, and advances through it. */
  step(): Promise<void>;
  /** Yields to real I/O until `condition` holds. */
  waitFor(condition: () => boolean): Promise<void>;
}

/** Real time a driver may spend with nothing to advance before the test fails as stuck. */
const STUCK_MS = 5_000;

// Sleeps are taken from `clock.sleeps` in order, so a sleep is never missed however the code under
// test interleaves its real I/O with its waits. Between sleeps the test only yields to real I/O.
function createDriver(clock: FakeClock): Driver {
  let next = 0;
  const waitFor = async (condition: () => boolean): Promise<void> => {
    const since = Date.now();
    while (!condition()) {
      if (Date.now() - since > STUCK_MS)
        throw new Error('stuck: the code under test neither settled nor slept');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const step = async (): Promise<void> => {
    await waitFor(() => next < clock.sleeps.length);
    await clock.advance(clock.sleeps[next++]!);
  };
  return {
    step,
    waitFor,
    async drive(promise) {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      for (;;) {
        await waitFor(() => settled || next < clock.sleeps.length);
        if (settled) return promise;
        await clock.advance(clock.sleeps[next++]!);
      }
    },
  };
}

void describe('HEC indexer acknowledgement', () => {
  let receiver: HecReceiver;
  let transport: Transport;
  let clock: FakeClock;
  let driver: Driver;
  let logger: ReturnType<typeof createMemoryLogger>;
  let acknowledger: Acknowledger;
  const channel = newChannelId();
  const live = new AbortController();

  before(async () => {
    receiver = await startHecReceiver({ ack: true, token: TOKEN });
    transport = createHttpTransport({
      url: receiver.url,
      timeoutMs: 5000,
      gzip: false,
      tls: { insecure_skip_verify: false },
      credentials: createCredentials({}, { scheme: 'Splunk', token: TOKEN })!,
    });
  });
  after(async () => {
    await transport.close();
    await receiver.close();
  });
  beforeEach(() => {
    clock = createFakeClock();
    driver = createDriver(clock);
    logger = createMemoryLogger();
    receiver.setAckDecider(() => true);
    receiver.setToken(TOKEN);
    acknowledger = createHecAcknowledger({
      transport,
      channel,
      clock,
      pollIntervalMs: POLL_MS,
      timeoutMs: TIMEOUT_MS,
      logger,
    });
  });
  afterEach(async () => {
    await acknowledger.close();
  });

  /** Sends one batch through the real encoder and classifier and returns the ackId HEC assigned. */
  async function sendBatch(): Promise<number> {
    const request = createHecEncoder(
      { host: 'h', source: 's', sourcetype: 'wirety:audit', indexed_fields: [] },
      channel,
    ).encode(makeRecords(2));
    const outcome = classifyHecReply(await transport.send(request, live.signal), 2, 'on');
    assert.equal(outcome.kind, 'awaiting_ack');
    return outcome.kind === 'awaiting_ack' ? outcome.ackId : -1;
  }

  void it('does not poll while nothing is outstanding', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(clock.pending(), 0);
    assert.equal(clock.sleeps.length, 0);
  });

  void it('false for a while, then true → resolves true, polling every interval', async () => {
    const ackId = await sendBatch();
    receiver.setAckDecider((_id, poll) => poll >= 3);
    const polledBefore = receiver.acksPolled.length;
    const start = clock.now();
    assert.equal(await driver.drive(acknowledger.wait(ackId, live.signal)), true);
    assert.deepEqual(receiver.acksPolled.slice(polledBefore), [[ackId], [ackId], [ackId]]);
    assert.equal(clock.now() - start, 3 * POLL_MS);
    assert.equal(receiver.requests.at(-1)?.headers['x-splunk-request-channel'], channel);
    assert.equal(receiver.requests.at(-1)?.headers.authorization, `Splunk ${TOKEN}`);
    // The loop stopped with nothing left to wait for.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(clock.pending(), 0);
  });

  void it('never true → resolves false after exactly timeoutMs of clock time', async () => {
    const ackId = await sendBatch();
    receiver.setAckDecider(() => false);
    const polledBefore = receiver.acksPolled.length;
    const start = clock.now();
    assert.equal(await driver.drive(acknowledger.wait(ackId, live.signal)), false);
    assert.equal(clock.now() - start, TIMEOUT_MS);
    assert.equal(receiver.acksPolled.length - polledBefore, Math.floor(TIMEOUT_MS / POLL_MS));
  });

  void it('asks for every outstanding id in one poll and resolves each on its own', async () => {
    const ids = [await sendBatch(), await sendBatch(), await sendBatch()];
    receiver.setAckDecider((id, poll) => (id === ids[1] ? poll >= 2 : poll >= 1));
    const polledBefore = receiver.acksPolled.length;
    const results = await driver.drive(Promise.all(ids.map((id) => acknowledger.wait(id, live.signal))));
    assert.deepEqual(results, [true, true, true]);
    assert.deepEqual(receiver.acksPolled.slice(polledBefore), [ids, [ids[1]]]);
  });

  void it('keeps polling through network errors and 5xx, logging without flooding', async () => {
    const ackId = await sendBatch();
    receiver.replyNextPoll(9, 9, 9, { status: 502, body: 'bad gateway' });
    assert.equal(await driver.drive(acknowledger.wait(ackId, live.signal)), true);
    const warnings = logger.entries.filter((e) => e.level === 'warn');
    assert.equal(warnings.length, 2, 'repeats of one reason within the window are held back');
    assert.match(String(warnings[0]?.fields?.reason), /HEC code 9/);
    assert.match(String(warnings[1]?.fields?.reason), /HTTP 502/);
    assert.ok(logger.entries.some((e) => e.level === 'info' && /succeed again/.test(e.message)));

    const second = await sendBatch();
    await receiver.down();
    const waiting = acknowledger.wait(second, live.signal);
    await driver.step();
    await driver.step(); // the loop sleeps again only after the failed poll
    await receiver.up();
    assert.equal(await driver.drive(waiting), true);
    assert.ok(
      logger.entries.some((e) => e.level === 'warn' && /ECONNREFUSED/.test(String(e.fields?.reason))),
    );
  });

  void it('a poll refused for the token is a loud error and never confirms anything', async () => {
    const ackId = await sendBatch();
    receiver.setToken('rotated-elsewhere');
    const result = await driver.drive(acknowledger.wait(ackId, live.signal));
    assert.equal(result, false);
    const errors = logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.fields?.reason), /HEC code 4: Invalid token/);
    assert.ok(!JSON.stringify(logger.entries).includes(TOKEN), 'the token never reaches the log');
  });

  const refusals: [string, HecScript, string][] = [
    ['code 14 "ACK is disabled"', 14, 'HEC code 14: ACK is disabled (HTTP 400)'],
    ['code 10 "Data channel is missing"', 10, 'HEC code 10: Data channel is missing (HTTP 400)'],
    ['code 11 "Invalid data channel"', 11, 'HEC code 11: Invalid data channel (HTTP 400)'],
    ["a proxy's 404", { status: 404, body: '<html>Not Found</html>' }, 'HTTP 404'],
    ["a proxy's 405", { status: 405, body: 'Method Not Allowed' }, 'HTTP 405'],
  ];
  for (const [what, reply, reason] of refusals) {
    void it(`ack endpoint refused with ${what} → the batch stands on HEC's 200 after one poll, never re-sent`, async () => {
      const ackId = await sendBatch();
      receiver.refusePolls(reply);
      try {
        const polledBefore = receiver.requests.length;
        const start = clock.now();
        const answer = await driver.drive(acknowledger.wait(ackId, live.signal));
        assert.deepEqual(answer, {
          kind: 'delivered',
          unconfirmed: {
            code: 'ack_poll_refused',
            message:
              "Splunk HEC: Splunk HEC refuses indexer acknowledgement polls: events are counted on HEC's 200; " +
              'enable useACK on the token and let POST /services/collector/ack through any proxy for end-to-end confirmation',
            detail: reason,
          },
        });
        assert.equal(clock.now() - start, POLL_MS, 'settled by the first poll, not by the timeout');
        assert.equal(receiver.requests.length - polledBefore, 1, 'one poll, nothing else sent');
        assert.deepEqual(
          logger.entries.filter((e) => e.level !== 'info'),
          [],
          'the delivery loop warns (once per process), not the poller',
        );
      } finally {
        receiver.refusePolls(undefined);
      }
    });
  }

  void it('with ack.required, a refused ack endpoint blocks instead', async () => {
    const required = createHecAcknowledger({
      transport,
      channel,
      clock,
      pollIntervalMs: POLL_MS,
      timeoutMs: TIMEOUT_MS,
      logger,
      mode: 'required',
    });
    const ackId = await sendBatch();
    receiver.refusePolls(14);
    try {
      const answer = await driver.drive(required.wait(ackId, live.signal));
      assert.equal(answer !== true && answer !== false && answer.kind, 'blocked');
      assert.match(
        answer !== true && answer !== false && answer.kind === 'blocked' ? answer.reason : '',
        /^ack\.required is set but Splunk HEC refuses indexer acknowledgement polls \(HEC code 14: ACK is disabled \(HTTP 400\)\)/,
      );
    } finally {
      receiver.refusePolls(undefined);
      await required.close();
    }
  });

  void it('a wait rejects promptly when its signal aborts; the others go on', async () => {
    const [a, b] = [await sendBatch(), await sendBatch()];
    receiver.setAckDecider((id) => id === b);
    const abort = new AbortController();
    const first = acknowledger.wait(a, abort.signal);
    const second = acknowledger.wait(b, live.signal);
    await clock.advance(1);
    abort.abort(new DOMException('stop', 'AbortError'));
    await assert.rejects(first, { name: 'AbortError', message: 'stop' });
    assert.equal(await driver.drive(second), true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(clock.pending(), 0, 'no loop once nothing is outstanding');
  });

  void it('an aborted signal rejects at once', async () => {
    const abort = new AbortController();
    abort.abort(new DOMException('already', 'AbortError'));
    await assert.rejects(acknowledger.wait(1, abort.signal), { message: 'already' });
  });

  void it('close() stops the poller and rejects pending waits with an AbortError', async () => {
    const ackId = await sendBatch();
    receiver.setAckDecider(() => false);
    const waiting = acknowledger.wait(ackId, live.signal);
    await driver.step();
    await driver.waitFor(() => clock.sleeps.length >= 2);
    const polls = receiver.acksPolled.length;
    await acknowledger.close();
    await assert.rejects(waiting, { name: 'AbortError' });
    await acknowledger.close();
    assert.equal(clock.pending(), 0);
    await clock.advance(10 * POLL_MS);
    assert.equal(receiver.acksPolled.length, polls);
    await assert.rejects(acknowledger.wait(ackId, live.signal), { name: 'AbortError' });
  });

  void it('an ackId handed out again (HEC restarted) sends the older batch again instead of crediting it', async () => {
    const older = acknowledger.wait(41, live.signal);
    const newer = acknowledger.wait(41, live.signal);
    assert.equal(await older, false);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /reused an ackId/.test(e.message)));
    const ackId = await sendBatch();
    assert.equal(await driver.drive(acknowledger.wait(ackId, live.signal)), true);
    // 41 was never issued on this channel, so HEC never confirms it.
    assert.equal(await driver.drive(newer), false);
  });
});
