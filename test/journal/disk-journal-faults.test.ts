import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodedSize } from '../../src/journal/disk/record-codec.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createFaultFs } from './fault-fs.js';
import { accepted, everything, track, until } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const segments = (dir: string): string[] =>
  readdirSync(dir)
    .filter((n) => n.startsWith('segment-'))
    .sort();
const bytesOnDisk = (dir: string): number =>
  segments(dir).reduce((n, s) => n + statSync(join(dir, s)).size, 0);

void describe('disk journal under write faults', () => {
  afterEach(removeAll);

  void it('ENOSPC with when_full block: cuts the half-written record, pauses, retries on the clock, loses nothing', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const clock = createFakeClock();
    const logger = createMemoryLogger();
    const log = await openJournal({ dir, fs, clock, logger, retryMs: 1000 });
    await log.append(accepted(2));
    const sizeBefore = bytesOnDisk(dir);
    fs.fail('write', 'ENOSPC', { file: /^segment-/, partialBytes: 100 });
    const pending = track(log.append(accepted(3, 3)));
    assert.equal(await clock.nextSleep(), 1000, 'waits retryMs before trying again');
    assert.equal(pending.settled, false);
    assert.equal(bytesOnDisk(dir), sizeBefore, 'the partial write was cut back');
    assert.equal(log.stats().full, true);
    const errors = logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /input paused/);
    assert.equal(errors[0]!.fields?.error, 'ENOSPC');
    await clock.advance(1000);
    const result = await pending.promise;
    assert.deepEqual(
      result.stored.map((r) => r.seq),
      [3, 4, 5],
    );
    assert.equal(log.stats().full, false);
    assert.ok(logger.entries.some((e) => e.level === 'info' && /resumed/.test(e.message)));
    await log.close();

    const reopened = await openJournal({ dir, sinkNames: ['a'] });
    assert.equal(reopened.recovery.tornBytes, 0);
    assert.deepEqual(
      (await everything(reopened, 'a')).map((r) => r.line),
      accepted(5).map((e) => e.line),
    );
    await reopened.close();
  });

  void it('ENOSPC with when_full drop_newest: drops and counts the batch, logs it, and stores again after', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const logger = createMemoryLogger();
    const log = await openJournal({ dir, fs, logger, whenFull: 'drop_newest' });
    await log.append(accepted(1));
    fs.fail('write', 'ENOSPC', { file: /^segment-/, partialBytes: 50 });
    const failed = await log.append(accepted(4, 2));
    assert.deepEqual(failed, { stored: [], dropped: 4, unstored: 0 });
    assert.equal(log.stats().full, true);
    assert.equal(logger.entries.filter((e) => e.level === 'error').length, 1);
    const ok = await log.append(accepted(2, 6));
    assert.deepEqual(
      ok.stored.map((r) => r.seq),
      [2, 3],
      'dropped events use no seq',
    );
    assert.equal(log.stats().full, false);
    const resumed = logger.entries.find((e) => e.level === 'info' && /storing events again/.test(e.message));
    assert.equal(resumed?.fields?.dropped, 4);
    assert.deepEqual(
      (await everything(log, 'a')).map((r) => r.line),
      [...accepted(1), ...accepted(2, 6)].map((e) => e.line),
    );
    await log.close();
  });

  void it('when a failed write cannot even be cut back, writes on in a new segment and loses nothing', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const clock = createFakeClock();
    const log = await openJournal({ dir, fs, clock });
    await log.append(accepted(2));
    fs.fail('write', 'EIO', { file: /^segment-/, partialBytes: 60 });
    fs.fail('ftruncate', 'EIO');
    const pending = log.append(accepted(2, 3));
    await clock.nextSleep();
    await clock.advance(1000);
    await pending;
    assert.equal(segments(dir).length, 2, 'the damaged segment is left behind');
    await log.close();

    const logger = createMemoryLogger();
    const reopened = await openJournal({ dir, sinkNames: ['check'], newSinkStart: 'oldest', logger });
    assert.deepEqual(
      (await everything(reopened, 'check')).map((r) => r.line),
      accepted(4).map((e) => e.line),
    );
    assert.ok(logger.entries.some((e) => e.level === 'error' && /damaged/.test(e.message)));
    await reopened.close();
  });

  void it('when_full block counts segment bytes on disk, logs the pause and the resume once each', async () => {
    const dir = tempDir();
    const logger = createMemoryLogger();
    const events = accepted(6);
    const maxBytes = events.slice(0, 4).reduce((n, e) => n + encodedSize(e), 0);
    const log = await openJournal({ dir, logger, maxBytes, segmentBytes: 1 });
    for (const e of events.slice(0, 4)) await log.append([e]);
    assert.equal(log.stats().bytes, maxBytes);
    assert.equal(bytesOnDisk(dir), maxBytes);
    const blocked = track(log.append(events.slice(4)));
    await until(() => log.stats().full, 'the append to block');
    await log.cursor('a').take(1, 1 << 30);
    await log.cursor('a').commit(1);
    await until(() => log.stats().bytes < maxBytes || blocked.settled, 'GC');
    assert.equal(blocked.settled, false, 'one record freed is not room for two');
    await log.cursor('a').take(1, 1 << 30);
    await log.cursor('a').commit(2);
    await blocked.promise;
    assert.ok(bytesOnDisk(dir) <= maxBytes);
    assert.equal(logger.entries.filter((e) => /journal full: input paused/.test(e.message)).length, 1);
    assert.equal(logger.entries.filter((e) => /input resumed/.test(e.message)).length, 1);
    await log.close();
  });

  void it('when_full drop_newest refuses exactly the events past maxBytes', async () => {
    const dir = tempDir();
    const events = accepted(5);
    const maxBytes = events.slice(0, 3).reduce((n, e) => n + encodedSize(e), 0);
    const log = await openJournal({ dir, maxBytes, whenFull: 'drop_newest' });
    const result = await log.append(events);
    assert.equal(result.stored.length, 3);
    assert.equal(result.dropped, 2);
    assert.equal((await log.append(events.slice(0, 1))).dropped, 1);
    await log.close();
  });
});

void describe('disk journal fsync policies', () => {
  afterEach(removeAll);

  void it('always: append resolves only after the segment is fsynced; commit fsyncs the cursor', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const log = await openJournal({ dir, fs, fsync: 'always' });
    const before = fs.count('fsync', /^segment-/);
    const release = fs.hold('fsync', /^segment-/);
    const pending = track(log.append(accepted(2)));
    await until(() => fs.count('fsync', /^segment-/) > before, 'the fsync to start');
    assert.equal(pending.settled, false, 'not acknowledged before fsync returns');
    assert.equal(log.cursor('a').lag().events, 0, 'not visible to sinks before it is durable');
    release();
    await pending.promise;
    await log.append(accepted(1, 3));
    assert.equal(fs.count('fsync', /^segment-/), before + 2, 'one fsync per append');
    const cursorSyncs = fs.count('fsync', /^cursor-a/);
    await log.cursor('a').take(10, 1 << 30);
    await log.cursor('a').commit(3);
    assert.equal(fs.count('fsync', /^cursor-a/), cursorSyncs + 1);
    await log.close();
  });

  void it('interval: no fsync on append; one fsync per interval in the background, cursors included', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const clock = createFakeClock();
    const log = await openJournal({ dir, fs, clock, fsync: 'interval', fsyncIntervalMs: 500 });
    const segmentSyncs = fs.count('fsync', /^segment-/);
    const cursorWrites = fs.count('rename', /^cursor-a/);
    for (let i = 0; i < 10; i++) await log.append(accepted(5, i * 5 + 1));
    await log.cursor('a').take(10, 1 << 30);
    await log.cursor('a').commit(10); // resolves before it is durable: that is the interval contract
    assert.equal(fs.count('fsync', /^segment-/), segmentSyncs);
    assert.equal(fs.count('rename', /^cursor-a/), cursorWrites, 'the cursor is written by the interval sync');
    assert.equal(await clock.nextSleep(), 500);
    const cursorSyncs = fs.count('fsync', /^cursor-a/);
    await clock.advance(500);
    await until(() => fs.count('fsync', /^cursor-a/) === cursorSyncs + 1, 'the interval sync');
    assert.equal(fs.count('fsync', /^segment-/), segmentSyncs + 1);
    await log.append(accepted(1, 51));
    assert.equal(await clock.nextSleep(), 500, 'the next fsync waits a whole interval');
    await log.close();
  });

  void it('never: no fsync while running; close fsyncs everything once', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const log = await openJournal({ dir, fs, fsync: 'never', segmentBytes: 1000 });
    const dataSyncs = (): number => fs.count('fsync', /^(segment-|cursor-)/);
    const opening = dataSyncs();
    for (let i = 0; i < 10; i++) await log.append(accepted(3, i * 3 + 1));
    assert.ok(segments(dir).length > 1);
    await log.cursor('a').take(100, 1 << 30);
    await log.cursor('a').commit(30);
    assert.equal(dataSyncs(), opening, 'segments roll and cursors move without fsync');
    await until(() => fs.count('rename', /^cursor-a/) > 1, 'the cursor file to be written (no fsync)');
    await log.close();
    assert.equal(fs.count('fsync', /^segment-/), 1);
    assert.ok(fs.count('fsync', /^cursor-a/) >= 1);
  });
});
