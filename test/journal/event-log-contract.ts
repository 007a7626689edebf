/**
 * The behaviour every EventLog must have, as one suite that runs against each implementation
 * (memory-log.test.ts, disk-journal.test.ts). Byte budgets are expressed in records through
 * `maxBytesFor`, because each implementation counts bytes its own way (line bytes vs disk bytes).
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventLog } from '../../src/journal/event-log.js';
import { accepted, track, until } from './helpers.js';

export interface ContractLogOptions {
  readonly sinkNames: readonly string[];
  readonly maxBytes?: number;
  readonly whenFull?: 'block' | 'drop_newest';
}

export interface ContractSubject {
  readonly name: string;
  /** A fresh, empty log. */
  open(options: ContractLogOptions): Promise<EventLog>;
  /** A maxBytes that holds about `records` records of accepted()'s size appended one per call. */
  maxBytesFor(records: number): number;
  /** Removes whatever open() created. */
  cleanup(): Promise<void>;
}

export function runEventLogContract(subject: ContractSubject): void {
  void describe(`EventLog contract: ${subject.name}`, () => {
    const opened: EventLog[] = [];
    const open = async (options: ContractLogOptions): Promise<EventLog> => {
      const log = await subject.open(options);
      opened.push(log);
      return log;
    };
    afterEach(async () => {
      for (const log of opened.splice(0)) await log.close();
      await subject.cleanup();
    });

    void it('assigns seqs 1, 2, 3… and unique derived ids, and keeps an id the source chose', async () => {
      const log = await open({ sinkNames: ['a'] });
      const events = accepted(3);
      const { stored, dropped } = await log.append([
        events[0]!,
        { ...events[1]!, id: 'file-7-1234' },
        events[2]!,
      ]);
      assert.equal(dropped, 0);
      assert.deepEqual(
        stored.map((r) => r.seq),
        [1, 2, 3],
      );
      assert.equal(stored[1]!.id, 'file-7-1234');
      assert.notEqual(stored[0]!.id, stored[2]!.id);
      assert.match(stored[0]!.id, /-1$/);
      assert.match(stored[2]!.id, /-3$/);
      assert.deepEqual(
        stored.map((r) => r.line),
        events.map((e) => e.line),
      );
      const more = await log.append(accepted(1, 4));
      assert.equal(more.stored[0]!.seq, 4);
    });

    void it('gives every sink every record in order, each at its own pace', async () => {
      const log = await open({ sinkNames: ['a', 'b'] });
      const events = accepted(10);
      await log.append(events.slice(0, 6));
      await log.append(events.slice(6));
      const a = log.cursor('a');
      const b = log.cursor('b');
      const firstA = await a.take(4, 1 << 20);
      assert.deepEqual(
        firstA.map((r) => r.seq),
        [1, 2, 3, 4],
      );
      await a.commit(4);
      const allB = await b.take(100, 1 << 20);
      assert.deepEqual(
        allB.map((r) => r.line),
        events.map((e) => e.line),
      );
      assert.deepEqual(allB[0]!.event, events[0]!.event);
      assert.equal(allB[0]!.source, events[0]!.source);
      assert.equal(allB[0]!.receivedAtMs, events[0]!.receivedAtMs);
      assert.equal(allB[0]!.bytes, events[0]!.bytes);
      const restA = await a.take(100, 1 << 20);
      assert.deepEqual(
        restA.map((r) => r.seq),
        [5, 6, 7, 8, 9, 10],
      );
      assert.equal(log.cursor('a'), a, 'the same cursor object for the same sink');
    });

    void it('take honours maxEvents and maxBytes but always returns at least one record', async () => {
      const log = await open({ sinkNames: ['a'] });
      const events = accepted(5);
      await log.append(events);
      const c = log.cursor('a');
      const one = await c.take(10, 1);
      assert.equal(one.length, 1, 'a record larger than maxBytes still comes out alone');
      const two = await c.take(10, events[1]!.bytes + events[2]!.bytes);
      assert.deepEqual(
        two.map((r) => r.seq),
        [2, 3],
      );
      const capped = await c.take(1, 1 << 20);
      assert.deepEqual(
        capped.map((r) => r.seq),
        [4],
      );
    });

    void it('take returns nothing when nothing is new, and waitForRecords wakes on the next append', async () => {
      const log = await open({ sinkNames: ['a'] });
      const c = log.cursor('a');
      assert.deepEqual(await c.take(10, 1 << 20), []);
      const waiting = track(c.waitForRecords(new AbortController().signal));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(waiting.settled, false, 'nothing to take yet');
      await log.append(accepted(1));
      await waiting.promise;
      assert.equal((await c.take(10, 1 << 20)).length, 1);
    });

    void it('waitForRecords rejects with the signal reason when aborted', async () => {
      const log = await open({ sinkNames: ['a'] });
      const controller = new AbortController();
      const waiting = log.cursor('a').waitForRecords(controller.signal);
      const reason = new Error('shutdown');
      controller.abort(reason);
      await assert.rejects(waiting, (err) => err === reason);
    });

    void it('onRecords wakes a caught-up cursor once the wanted number of records is there, and not before', async () => {
      const log = await open({ sinkNames: ['a'] });
      const c = log.cursor('a');
      let wakes = 0;
      const stop = c.onRecords(() => wakes++, { events: 3, bytes: Number.MAX_SAFE_INTEGER });
      await log.append(accepted(1));
      await log.append(accepted(1));
      assert.equal(wakes, 0, 'two of the three wanted records: the loop sleeps on');
      await log.append(accepted(1));
      assert.equal(wakes, 1, 'the third fills the batch: wake');
      stop();
      await log.append(accepted(1));
      assert.equal(wakes, 1, 'no call once cancelled');
      assert.equal((await c.take(10, 1 << 20)).length, 4);
    });

    void it('onRecords wakes on bytes before the event count, on endInput, and at once when records are there', async () => {
      const log = await open({ sinkNames: ['a'] });
      const c = log.cursor('a');
      const [first, second] = accepted(2);
      let wakes = 0;
      const stop = c.onRecords(() => wakes++, { events: 100, bytes: first!.bytes + second!.bytes });
      await log.append([first!]);
      assert.equal(wakes, 0);
      await log.append([second!]);
      assert.equal(wakes, 1, 'two records hold the wanted bytes');
      stop();

      let immediate = 0;
      c.onRecords(() => immediate++)(); // two records not taken yet
      assert.equal(immediate, 1);
      await c.take(10, 1 << 20);

      let ended = 0;
      const stopEnded = c.onRecords(() => ended++, { events: 100, bytes: 1 << 30 });
      log.endInput();
      assert.ok(ended >= 1, 'endInput wakes whatever is wanted');
      stopEnded();
    });

    void it('endInput releases waiters, and drained turns true only once everything is taken', async () => {
      const log = await open({ sinkNames: ['a'] });
      const c = log.cursor('a');
      await log.append(accepted(2));
      await c.take(1, 1 << 20);
      const w = c.waitForRecords(new AbortController().signal);
      await w; // one record still there
      log.endInput();
      assert.equal(c.drained, false, 'one record not taken yet');
      await c.take(10, 1 << 20);
      assert.equal(c.drained, true);
      await c.waitForRecords(new AbortController().signal); // resolves at once after the end
    });

    void it('rewind forgets what was taken but not committed', async () => {
      const log = await open({ sinkNames: ['a'] });
      const c = log.cursor('a');
      await log.append(accepted(5));
      await c.take(2, 1 << 20);
      await c.commit(2);
      await c.take(10, 1 << 20);
      c.rewind();
      const again = await c.take(10, 1 << 20);
      assert.deepEqual(
        again.map((r) => r.seq),
        [3, 4, 5],
      );
    });

    void it('lag counts records this sink has not committed and the oldest receive time', async () => {
      const log = await open({ sinkNames: ['a', 'b'] });
      assert.deepEqual(log.cursor('a').lag(), { events: 0 });
      const events = accepted(4);
      await log.append(events);
      const a = log.cursor('a');
      await a.take(10, 1 << 20);
      assert.deepEqual(a.lag(), { events: 4, oldestReceivedAtMs: events[0]!.receivedAtMs });
      await a.commit(3);
      assert.deepEqual(a.lag(), { events: 1, oldestReceivedAtMs: events[3]!.receivedAtMs });
      await a.commit(4);
      assert.deepEqual(a.lag(), { events: 0 });
      assert.equal(log.cursor('b').lag().events, 4, 'b is unaffected by a');
    });

    void it('skipToHead commits everything published, says how many, and leaves other sinks alone', async () => {
      const log = await open({ sinkNames: ['a', 'b'] });
      await log.append(accepted(4));
      const a = log.cursor('a');
      await a.take(2, 1 << 20);
      await a.commit(1);
      assert.equal(await a.skipToHead(), 3);
      assert.deepEqual(a.lag(), { events: 0 });
      assert.equal(await a.skipToHead(), 0, 'nothing new: nothing skipped');
      await log.append(accepted(1));
      assert.deepEqual(
        (await a.take(10, 1 << 20)).map((r) => r.seq),
        [5],
        'only what came after the skip',
      );
      assert.equal(log.cursor('b').lag().events, 5, 'b is unaffected by a');
      assert.equal(await log.cursor('b').skipToHead(), 5);
      assert.equal(log.stats().records, 1, 'only the record a took but did not commit is held');
    });

    void it('holds records until every sink has committed them', async () => {
      const log = await open({ sinkNames: ['a', 'b'] });
      await log.append(accepted(3));
      assert.equal(log.stats().records, 3);
      await log.cursor('a').take(10, 1 << 20);
      await log.cursor('a').commit(3);
      assert.equal(log.stats().records, 3, 'b still needs them');
      await log.cursor('b').take(10, 1 << 20);
      await log.cursor('b').commit(3);
      assert.equal(log.stats().records, 0);
    });

    void it('refuses commits that go backwards and cursors of unknown sinks', async () => {
      const log = await open({ sinkNames: ['a'] });
      await log.append(accepted(3));
      const c = log.cursor('a');
      await c.take(3, 1 << 20);
      await c.commit(2);
      await assert.rejects(async () => c.commit(1), RangeError);
      assert.throws(() => log.cursor('nope'), /nope/);
    });

    void it('with no sinks appended records are not held and append never waits', async () => {
      const log = await open({ sinkNames: [], maxBytes: subject.maxBytesFor(2) });
      const { stored } = await log.append(accepted(20));
      assert.equal(stored.length, 20);
      assert.equal((await log.append(accepted(20, 21))).stored.length, 20);
      assert.equal(log.stats().records, 0);
    });

    void it('when_full block: append waits while full and resumes after a commit, losing nothing', async () => {
      const log = await open({ sinkNames: ['a'], maxBytes: subject.maxBytesFor(4), whenFull: 'block' });
      const events = accepted(6);
      for (const e of events.slice(0, 4)) await log.append([e]);
      const blocked = track(log.append(events.slice(4)));
      await until(() => log.stats().full || blocked.settled, 'the append to block');
      assert.equal(blocked.settled, false, 'the fifth and sixth records do not fit');
      assert.equal(log.stats().full, true);
      const c = log.cursor('a');
      await c.take(2, 1 << 20);
      await c.commit(2);
      const result = await blocked.promise;
      assert.equal(result.dropped, 0);
      assert.deepEqual(
        result.stored.map((r) => r.seq),
        [5, 6],
      );
      assert.equal(log.stats().full, false);
      const rest = await c.take(100, 1 << 20);
      assert.deepEqual(
        rest.map((r) => r.line),
        events.slice(2).map((e) => e.line),
      );
    });

    void it('when_full drop_newest: keeps what fits, reports exactly what it refused', async () => {
      const log = await open({ sinkNames: ['a'], maxBytes: subject.maxBytesFor(4), whenFull: 'drop_newest' });
      const events = accepted(10);
      for (const e of events.slice(0, 3)) await log.append([e]);
      const result = await log.append(events.slice(3));
      assert.ok(result.dropped > 0, 'something must be refused');
      assert.equal(result.stored.length + result.dropped, 7, 'every event is stored or counted');
      assert.deepEqual(
        result.stored.map((r) => r.line),
        events.slice(3, 3 + result.stored.length).map((e) => e.line),
        'the newest are the ones refused',
      );
      assert.equal(log.stats().full, true);
      const c = log.cursor('a');
      const all = await c.take(100, 1 << 20);
      await c.commit(all.at(-1)!.seq);
      const after = await log.append(events.slice(0, 1));
      assert.equal(after.dropped, 0, 'room again once the sink committed');
      assert.equal(after.stored[0]!.seq, all.at(-1)!.seq + 1, 'dropped events consume no seq');
    });

    void it('an append larger than maxBytes does not deadlock: it flows through as sinks commit', async () => {
      const log = await open({ sinkNames: ['a'], maxBytes: subject.maxBytesFor(2), whenFull: 'block' });
      const events = accepted(9);
      const appending = track(log.append(events));
      const c = log.cursor('a');
      const seen: string[] = [];
      while (seen.length < events.length) {
        await c.waitForRecords(AbortSignal.timeout(5000));
        const got = await c.take(100, 1 << 20);
        seen.push(...got.map((r) => r.line));
        if (got.length > 0) await c.commit(got.at(-1)!.seq);
      }
      const result = await appending.promise;
      assert.equal(result.stored.length, 9);
      assert.deepEqual(
        seen,
        events.map((e) => e.line),
      );
    });

    void it('close is idempotent, ends waiting readers and refuses later appends', async () => {
      const log = await open({ sinkNames: ['a'] });
      const waiting = log.cursor('a').waitForRecords(new AbortController().signal);
      await log.close();
      await waiting;
      await log.close();
      await assert.rejects(log.append(accepted(1)), /closed/);
    });
  });
}
