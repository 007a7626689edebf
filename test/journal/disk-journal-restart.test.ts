import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { accepted, everything } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const segmentFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.startsWith('segment-'))
    .sort();

void describe('disk journal across restarts', () => {
  afterEach(removeAll);

  void it('continues seqs and ids after a clean restart; ids never repeat', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir });
    const before = (await first.append(accepted(5))).stored;
    await first.close();
    const second = await openJournal({ dir });
    assert.equal(second.journalId, first.journalId);
    assert.deepEqual(second.recovery, { tornBytes: 0, lastSeq: 5, skippedSeqs: 0 });
    const after = (await second.append(accepted(3, 6))).stored;
    assert.deepEqual(
      after.map((r) => r.seq),
      [6, 7, 8],
    );
    assert.equal(after[0]!.id, `${first.journalId}-6`);
    const ids = new Set([...before, ...after].map((r) => r.id));
    assert.equal(ids.size, 8);
    await second.close();
  });

  void it('gives a deleted and recreated journal a new journal id, so no derived id repeats', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir });
    const old = (await first.append(accepted(3))).stored.map((r) => r.id);
    await first.close();
    rmSync(dir, { recursive: true });
    const second = await openJournal({ dir });
    assert.notEqual(second.journalId, first.journalId);
    const fresh = (await second.append(accepted(3))).stored.map((r) => r.id);
    assert.equal(
      fresh.some((id) => old.includes(id)),
      false,
    );
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the journal directory is private');
    await second.close();
  });

  void it('resumes every sink at its own cursor; a sink that committed gets nothing twice', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, sinkNames: ['fast', 'slow'] });
    const events = accepted(10);
    await first.append(events);
    await first.cursor('fast').take(100, 1 << 30);
    await first.cursor('fast').commit(10);
    await first.cursor('slow').take(3, 1 << 30);
    await first.cursor('slow').commit(3);
    await first.close();

    const second = await openJournal({ dir, sinkNames: ['fast', 'slow'] });
    assert.deepEqual(await second.cursor('fast').take(100, 1 << 30), []);
    const slow = await everything(second, 'slow');
    assert.deepEqual(
      slow.map((r) => r.seq),
      [4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(
      slow.map((r) => r.line),
      events.slice(3).map((e) => e.line),
    );
    assert.deepEqual(slow[0]!.event, events[3]!.event);
    assert.equal(slow[0]!.id, `${second.journalId}-4`);
    assert.equal(second.cursor('slow').lag().events, 7);
    await second.close();
  });

  void it('after an unclean stop resumes above every seq it may have handed out, and lag counts records', async () => {
    const dir = tempDir();
    const live = await openJournal({ dir });
    await live.append(accepted(3));
    const crashImage = tempDir();
    cpSync(dir, crashImage, { recursive: true }); // the files as a kill -9 would leave them
    await live.close();

    const logger = createMemoryLogger();
    const reopened = await openJournal({ dir: crashImage, logger });
    assert.ok(reopened.recovery.skippedSeqs > 0);
    assert.equal(reopened.recovery.lastSeq, 3 + reopened.recovery.skippedSeqs);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /did not close cleanly/.test(e.message)));
    const next = (await reopened.append(accepted(2, 4))).stored;
    assert.equal(next[0]!.seq, reopened.recovery.lastSeq + 1);
    assert.equal(reopened.cursor('a').lag().events, 5, 'the skipped seqs are not records');
    assert.equal(reopened.stats().records, 5);
    const all = await everything(reopened, 'a');
    assert.deepEqual(
      all.map((r) => r.line),
      [...accepted(3), ...accepted(2, 4)].map((e) => e.line),
    );
    await reopened.close();
  });

  void it('never reuses a seq a sink may have delivered when a machine crash loses the tail', async () => {
    const dir = tempDir();
    const live = await openJournal({ dir });
    const delivered = (await live.append(accepted(10))).stored;
    await live.cursor('a').take(100, 1 << 30);
    await live.cursor('a').commit(10); // a receiver now holds ids …-1 … …-10
    const image = tempDir();
    cpSync(dir, image, { recursive: true });
    await live.close();
    // The machine lost the unsynced tail: half the records and the cursor's progress.
    const segment = join(image, segmentFiles(image)[0]!);
    truncateSync(segment, Math.floor(statSync(segment).size / 2));
    writeFileSync(join(image, 'cursor-a.json'), JSON.stringify({ sink: 'a', committedSeq: 0 }));

    const reopened = await openJournal({ dir: image });
    const fresh = (await reopened.append(accepted(5))).stored;
    const taken = new Set(delivered.map((r) => r.id));
    assert.equal(
      fresh.some((r) => taken.has(r.id)),
      false,
      'a new event must never get the id of one a receiver already has',
    );
    await reopened.close();
  });

  void it('cuts a tail torn mid-record, reports it, and keeps every record before it', async () => {
    const dir = tempDir();
    const live = await openJournal({ dir, sinkNames: ['a'] });
    const events = accepted(5);
    for (const e of events) await live.append([e]);
    await live.close();
    const segment = join(dir, segmentFiles(dir)[0]!);
    const size = statSync(segment).size;
    truncateSync(segment, size - 10);

    const logger = createMemoryLogger();
    const reopened = await openJournal({ dir, logger });
    const lastRecord = size - (28 + events[4]!.bytes);
    assert.equal(reopened.recovery.tornBytes, size - 10 - lastRecord);
    assert.equal(statSync(segment).size, lastRecord, 'the file is cut at the last good record');
    const warn = logger.entries.find((e) => e.level === 'warn' && /torn or corrupt tail/.test(e.message));
    assert.equal(warn?.fields?.tornBytes, reopened.recovery.tornBytes);
    const all = await everything(reopened, 'a');
    assert.deepEqual(
      all.map((r) => r.line),
      events.slice(0, 4).map((e) => e.line),
    );
    const next = await reopened.append(accepted(1, 6));
    assert.ok(next.stored[0]!.seq > 5, 'seq 5 may have been delivered: it is not reused');
    await reopened.close();
  });

  void it('cuts a last record whose bytes were flipped (CRC) and replays nothing of it', async () => {
    const dir = tempDir();
    const live = await openJournal({ dir });
    const events = accepted(4);
    await live.append(events);
    await live.close();
    const segment = join(dir, segmentFiles(dir)[0]!);
    const bytes = readFileSync(segment);
    const lastStart = bytes.length - (28 + events[3]!.bytes);
    bytes[lastStart + 60]! ^= 0x20; // inside the line: still JSON-ish, only the CRC can tell
    writeFileSync(segment, bytes);

    const reopened = await openJournal({ dir });
    assert.equal(reopened.recovery.tornBytes, 28 + events[3]!.bytes);
    const all = await everything(reopened, 'a');
    assert.deepEqual(
      all.map((r) => r.line),
      events.slice(0, 3).map((e) => e.line),
    );
    await reopened.close();
  });

  void it('starts a new sink at the head by default, or at the oldest retained record', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, sinkNames: ['a'] });
    await first.append(accepted(5));
    await first.close();

    const head = await openJournal({ dir, sinkNames: ['a', 'head'] });
    assert.deepEqual(await head.cursor('head').take(100, 1 << 30), []);
    await head.append(accepted(1, 6));
    assert.deepEqual(
      (await head.cursor('head').take(100, 1 << 30)).map((r) => r.seq),
      [6],
    );
    await head.cursor('head').commit(6);
    await head.close();

    const oldest = await openJournal({ dir, sinkNames: ['a', 'head', 'oldest'], newSinkStart: 'oldest' });
    assert.deepEqual(
      (await everything(oldest, 'oldest')).map((r) => r.seq),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(await oldest.cursor('head').take(100, 1 << 30), [], 'a known sink keeps its place');
    await oldest.close();
  });

  void it('lets a sink removed from the config stop holding segments, keeping its cursor file', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, sinkNames: ['kept', 'removed'], segmentBytes: 1 });
    for (let i = 1; i <= 4; i++) await first.append(accepted(1, i));
    await first.cursor('kept').take(100, 1 << 30);
    await first.cursor('kept').commit(4);
    await first.close();
    assert.equal(segmentFiles(dir).length, 4, '"removed" still holds every segment');

    const logger = createMemoryLogger();
    const second = await openJournal({ dir, sinkNames: ['kept'], segmentBytes: 1, logger });
    assert.equal(segmentFiles(dir).length, 1, 'only the segment being written is left');
    assert.ok(existsSync(join(dir, 'cursor-removed.json')));
    const info = logger.entries.filter((e) => e.level === 'info' && /no longer configured/.test(e.message));
    assert.equal(info.length, 1);
    assert.equal(info[0]!.fields?.sink, 'removed');
    await second.close();
  });

  void it('restarts a sink whose cursor file is unreadable from the oldest record, and says so', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, sinkNames: ['a'] });
    await first.append(accepted(3));
    await first.cursor('a').take(100, 1 << 30);
    await first.cursor('a').commit(2);
    await first.close();
    writeFileSync(join(dir, 'cursor-a.json'), '{"sink":"a","comm');
    const logger = createMemoryLogger();
    const second = await openJournal({ dir, sinkNames: ['a'], logger });
    assert.deepEqual(
      (await everything(second, 'a')).map((r) => r.seq),
      [1, 2, 3],
    );
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /unreadable cursor/.test(e.message)));
    await second.close();
  });
});
