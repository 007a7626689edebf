import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLog } from '../../src/journal/memory-log.js';
import { runEventLogContract } from './event-log-contract.js';
import { accepted, track, until } from './helpers.js';

const recordBytes = Math.max(...accepted(20).map((e) => e.bytes));

runEventLogContract({
  name: 'memory log',
  open: (o) =>
    Promise.resolve(
      createMemoryLog({
        sinkNames: o.sinkNames,
        maxBytes: o.maxBytes ?? 1 << 30,
        whenFull: o.whenFull ?? 'block',
      }),
    ),
  maxBytesFor: (records) => records * recordBytes,
  cleanup: () => Promise.resolve(),
});

void describe('memory log', () => {
  void it('derives ids from its stream id, random per log when not given', async () => {
    const named = createMemoryLog({ sinkNames: [], maxBytes: 1000, whenFull: 'block', streamId: 'run7' });
    assert.equal((await named.append(accepted(1))).stored[0]!.id, 'run7-1');
    const x = (
      await createMemoryLog({ sinkNames: [], maxBytes: 1000, whenFull: 'block' }).append(accepted(1))
    ).stored[0]!.id;
    const y = (
      await createMemoryLog({ sinkNames: [], maxBytes: 1000, whenFull: 'block' }).append(accepted(1))
    ).stored[0]!.id;
    assert.match(x, /^[0-9a-f]{12}-1$/);
    assert.notEqual(x, y, 'two logs never derive the same id');
  });

  void it('counts held bytes as the sum of record bytes, exactly', async () => {
    const events = accepted(3).map((e) => ({ ...e, bytes: 100 }));
    const log = createMemoryLog({ sinkNames: ['a'], maxBytes: 250, whenFull: 'drop_newest' });
    const r = await log.append(events);
    assert.equal(r.stored.length, 2);
    assert.equal(r.dropped, 1);
    assert.deepEqual(log.stats(), { records: 2, bytes: 200, full: true });
    await log.cursor('a').commit(1);
    assert.deepEqual(log.stats(), { records: 1, bytes: 100, full: false });
    assert.equal((await log.append(events.slice(0, 1))).dropped, 0, 'exactly 250 fits');
  });

  void it('accepts an oversized event when it holds nothing, and only then', async () => {
    const big = { ...accepted(1)[0]!, bytes: 5000 };
    const log = createMemoryLog({ sinkNames: ['a'], maxBytes: 1000, whenFull: 'drop_newest' });
    assert.equal((await log.append([big])).stored.length, 1);
    assert.equal((await log.append([big])).dropped, 1);
  });

  void it('close rejects an append blocked on a full log instead of leaving it hanging', async () => {
    const log = createMemoryLog({ sinkNames: ['a'], maxBytes: recordBytes, whenFull: 'block' });
    await log.append(accepted(1));
    const blocked = track(log.append(accepted(1, 2)));
    await until(() => log.stats().full, 'append to block');
    await log.close();
    await assert.rejects(blocked.promise, (err: Error & { code?: string }) => err.code === 'JOURNAL_CLOSED');
  });

  void it('keeps order and content through many appends, takes and releases (window compaction)', async () => {
    const log = createMemoryLog({ sinkNames: ['a', 'b'], maxBytes: 1 << 30, whenFull: 'block' });
    const a = log.cursor('a');
    const b = log.cursor('b');
    let expectA = 1;
    let expectB = 1;
    for (let round = 0; round < 200; round++) {
      await log.append(accepted(50, round * 50 + 1));
      for (const r of await a.take(37, 1 << 20)) assert.equal(r.seq, expectA++);
      await a.commit(expectA - 1);
      if (round % 3 === 0) {
        for (const r of await b.take(1000, 1 << 20)) {
          assert.equal(r.seq, expectB);
          assert.match(r.line, new RegExp(`peer-name-${expectB}"`));
          expectB++;
        }
        await b.commit(expectB - 1);
      }
    }
    assert.equal(log.stats().records, 10_000 - Math.min(expectA, expectB) + 1);
  });

  void it('rejects bad options as configuration bugs', () => {
    assert.throws(() => createMemoryLog({ sinkNames: [], maxBytes: 0, whenFull: 'block' }), RangeError);
    assert.throws(() => createMemoryLog({ sinkNames: ['a', 'a'], maxBytes: 10, whenFull: 'block' }), /twice/);
  });
});
