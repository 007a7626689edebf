import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/audit/record.js';
import type { SinkCursor } from '../../src/journal/event-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createFaultFs } from './fault-fs.js';
import { accepted } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const segments = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.startsWith('segment-'))
    .sort();
const drain = async (cursor: SinkCursor, maxEvents = 1000, maxBytes = 1 << 30): Promise<AuditRecord[]> => {
  const out: AuditRecord[] = [];
  for (
    let got = await cursor.take(maxEvents, maxBytes);
    got.length > 0;
    got = await cursor.take(maxEvents, maxBytes)
  ) {
    out.push(...got);
  }
  return out;
};

void describe('disk journal reading and garbage collection', () => {
  afterEach(removeAll);

  void it('a sink behind the tail cache reads segment files, in order, byte-identical, across rolls', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const log = await openJournal({
      dir,
      fs,
      sinkNames: ['live', 'behind'],
      segmentBytes: 4096,
      tailCacheRecords: 10,
      readBufferBytes: 1024, // smaller than some reads need: exercises refill and growth
    });
    const events = accepted(300);
    for (let i = 0; i < 300; i += 25) await log.append(events.slice(i, i + 25));
    assert.ok(segments(dir).length > 10);
    const reads = fs.count('read');
    const live = await drain(log.cursor('live'), 7);
    assert.equal(live.length, 300);
    const behind = await drain(log.cursor('behind'), 7, 2000);
    assert.ok(fs.count('read') > reads, 'records older than the cache come from disk');
    assert.deepEqual(
      behind.map((r) => r.seq),
      events.map((_, i) => i + 1),
    );
    assert.deepEqual(
      behind.map((r) => r.line),
      events.map((e) => e.line),
    );
    assert.deepEqual(
      behind.map((r) => [r.source, r.receivedAtMs, r.bytes, r.event]),
      events.map((e) => [e.source, e.receivedAtMs, e.bytes, e.event]),
    );
    await log.close();
  });

  for (const fsync of ['never', 'always'] as const) {
    void it(`a sink moving between disk and cache during appends never skips or repeats a record (fsync ${fsync})`, async () => {
      const dir = tempDir();
      const log = await openJournal({
        dir,
        fsync,
        sinkNames: ['a'],
        segmentBytes: 8192,
        tailCacheRecords: 50,
      });
      let next = 1;
      const writer = (async () => {
        for (let i = 0; i < 150; i++) {
          const n = 1 + Math.floor(Math.random() * 40);
          await log.append(accepted(n, next));
          next += n;
        }
        log.endInput();
      })();
      const c = log.cursor('a');
      const seen: number[] = [];
      while (!c.drained) {
        await c.waitForRecords(AbortSignal.timeout(10_000));
        const got = await c.take(1 + Math.floor(Math.random() * 120), 1 << 30);
        seen.push(...got.map((r) => r.seq));
        if (got.length > 0 && Math.random() < 0.5) await c.commit(got.at(-1)!.seq);
        // Sometimes fall behind the cache, sometimes keep up.
        for (let k = Math.floor(Math.random() * 30); k > 0; k--) await new Promise((r) => setImmediate(r));
      }
      await writer;
      assert.deepEqual(
        seen,
        Array.from({ length: next - 1 }, (_, i) => i + 1),
      );
      await log.close();
    });
  }

  void it('rewind re-reads from disk exactly what was not committed', async () => {
    const dir = tempDir();
    const log = await openJournal({ dir, segmentBytes: 2048, tailCacheRecords: 1 });
    await log.append(accepted(40));
    const c = log.cursor('a');
    await c.take(15, 1 << 30);
    await c.commit(15);
    await c.take(10, 1 << 30);
    c.rewind();
    assert.deepEqual(
      (await drain(c)).map((r) => r.seq),
      Array.from({ length: 25 }, (_, i) => i + 16),
    );
    await log.close();
  });

  void it('keeps a source-chosen id and derives the rest from the journal id, read back from disk', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir });
    const [a, b] = accepted(2);
    await first.append([{ ...a!, id: 'file:ino-7:offset-1234' }, b!]);
    await first.close();
    const second = await openJournal({ dir, sinkNames: ['a'] });
    const got = await drain(second.cursor('a'));
    assert.deepEqual(
      got.map((r) => r.id),
      ['file:ino-7:offset-1234', `${second.journalId}-2`],
    );
    await second.close();
  });

  void it('deletes a segment only once every sink has committed past its last record', async () => {
    const dir = tempDir();
    // fsync always: commit() resolves after the cursor is written and GC has run.
    const log = await openJournal({ dir, sinkNames: ['a', 'b'], segmentBytes: 1, fsync: 'always' });
    for (let i = 1; i <= 5; i++) await log.append(accepted(2, i * 2 - 1)); // segments start at 1,3,5,7,9
    assert.equal(segments(dir).length, 5);
    await log.cursor('a').take(100, 1 << 30);
    await log.cursor('a').commit(10);
    assert.equal(segments(dir).length, 5, 'b has committed nothing');
    await log.cursor('b').take(100, 1 << 30);
    await log.cursor('b').commit(3);
    assert.deepEqual(
      segments(dir).map((n) => Number(n.slice(8, 28))),
      [3, 5, 7, 9],
      'segment 3-4 is only half committed by b',
    );
    await log.cursor('b').commit(10);
    assert.deepEqual(
      segments(dir).map((n) => Number(n.slice(8, 28))),
      [9],
      'the segment being written is never deleted',
    );
    assert.equal(log.stats().records, 0);
    await log.close();
  });

  void it('skips a damaged region of an older segment, says so, and still delivers later segments', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, segmentBytes: 1 });
    for (let i = 1; i <= 3; i++) await first.append(accepted(2, i * 2 - 1));
    await first.close();
    const middle = join(dir, segments(dir)[1]!);
    const bytes = readFileSync(middle);
    bytes[bytes.length - 5]! ^= 0xff; // the second record of the middle segment
    writeFileSync(middle, bytes);

    const logger = createMemoryLogger();
    const second = await openJournal({ dir, logger, sinkNames: ['check'], newSinkStart: 'oldest' });
    assert.deepEqual(
      (await drain(second.cursor('check'))).map((r) => r.seq),
      [1, 2, 3, 5, 6],
    );
    const error = logger.entries.find((e) => e.level === 'error' && /damaged/.test(e.message));
    assert.equal(error?.fields?.reason, 'checksum mismatch');
    assert.equal(error?.fields?.code, 'WS_ERR_JOURNAL_DAMAGED', 'the stable code operators alert on');
    await second.close();
  });

  void it('counts the records each sink loses to a damaged segment, once, and none for a sink already past it', async () => {
    const dir = tempDir();
    // Segments [1,2] [3,4] [5,6]: "a" (head start at 0) and "c" keep them all; "c" commits 4.
    const first = await openJournal({ dir, segmentBytes: 1, sinkNames: ['a', 'c'] });
    for (let i = 1; i <= 3; i++) await first.append(accepted(2, i * 2 - 1));
    await first.cursor('c').take(4, 1 << 30);
    await first.cursor('c').commit(4);
    await first.close();
    const middle = join(dir, segments(dir)[1]!);
    const bytes = readFileSync(middle);
    bytes[30]! ^= 0xff; // inside the first record of the middle segment: seqs 3 and 4 are unreadable
    writeFileSync(middle, bytes);

    const logger = createMemoryLogger();
    const lost = new Map<string, number>();
    const second = await openJournal({
      dir,
      logger,
      sinkNames: ['a', 'b', 'c'],
      newSinkStart: 'oldest',
      onLostDamaged: (sink, records) => lost.set(sink, (lost.get(sink) ?? 0) + records),
    });
    assert.deepEqual(
      (await drain(second.cursor('a'))).map((r) => r.seq),
      [1, 2, 5, 6],
    );
    assert.deepEqual(
      (await drain(second.cursor('b'))).map((r) => r.seq),
      [1, 2, 5, 6],
    );
    assert.deepEqual(
      (await drain(second.cursor('c'))).map((r) => r.seq),
      [5, 6],
    );
    second.cursor('a').rewind();
    assert.deepEqual(
      (await drain(second.cursor('a'))).map((r) => r.seq),
      [1, 2, 5, 6],
    );
    assert.deepEqual(Object.fromEntries(lost), { a: 2, b: 2 }, 'seqs 3 and 4, once per sink; c had them');
    assert.equal(
      logger.entries.filter((e) => e.level === 'error' && /damaged/.test(e.message)).length,
      1,
      'the damage is logged once',
    );
    await second.close();
  });

  void it('retries a failed segment read after a pause instead of skipping records', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir });
    await first.append(accepted(5));
    await first.close();
    const fs = createFaultFs();
    const logger = createMemoryLogger();
    const clock = createFakeClock();
    const second = await openJournal({
      dir,
      fs,
      clock,
      logger,
      sinkNames: ['check'],
      newSinkStart: 'oldest',
    });
    fs.fail('read', 'EIO', { file: /^segment-/ });
    const c = second.cursor('check');
    assert.deepEqual(await c.take(10, 1 << 30), []);
    assert.ok(logger.entries.some((e) => e.level === 'error' && /reading a segment failed/.test(e.message)));
    const waiting = c.waitForRecords(new AbortController().signal);
    assert.equal(await clock.nextSleep(), 1000, 'waits before retrying');
    await clock.advance(1000);
    await waiting;
    assert.deepEqual(
      (await drain(c)).map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    await second.close();
  });
});
