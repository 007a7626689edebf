/**
 * A full disk under the journal (ENOSPC), as it happens with the default segment_bytes: the whole
 * journal is one active segment, so nothing can be freed until that segment is rolled away. The
 * disk here is small-disk-fs.ts: real files, with a block budget that fails writes like a full
 * file system does (a short write, then ENOSPC).
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readdirSync } from 'node:fs';
import type { AppendResult } from '../../src/journal/event-log.js';
import type { DiskJournal } from '../../src/journal/disk/disk-journal.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { createFaultFs } from './fault-fs.js';
import { accepted, everything, track, until } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';
import { createSmallDiskFs } from './small-disk-fs.js';

const files = (dir: string, pattern: RegExp): string[] => readdirSync(dir).filter((n) => pattern.test(n));

/** Appends batches of 10 until one cannot be stored; returns that blocked append. */
async function fillDisk(
  log: DiskJournal,
  stop?: AbortSignal,
): Promise<{ blocked: ReturnType<typeof track<AppendResult>>; first: number }> {
  for (let first = 1; ; first += 10) {
    const append = track(log.append(accepted(10, first), stop));
    await until(() => append.settled || log.stats().full, 'the append to finish or to block');
    if (!append.settled) return { blocked: append, first };
    assert.equal((await append.promise).stored.length, 10);
  }
}

/** Takes and commits everything the sink can see; returns the last seq committed. */
async function catchUp(log: DiskJournal, sink: string): Promise<number> {
  const records = await everything(log, sink);
  const last = records.at(-1)!.seq;
  await log.cursor(sink).commit(last);
  return last;
}

void describe('disk journal on a full disk (ENOSPC)', () => {
  afterEach(removeAll);

  void it('rolls the active segment once every sink has passed it, lets GC free it, and resumes at once', async () => {
    const dir = tempDir();
    const disk = createSmallDiskFs(24);
    const clock = createFakeClock();
    const logger = createMemoryLogger();
    const log = await openJournal({ dir, fs: disk, clock, logger, sinkNames: ['a', 'b'] });
    const { blocked, first } = await fillDisk(log);
    assert.equal(files(dir, /^segment-/).length, 1, 'the whole journal is the active segment');
    const paused = logger.entries.find((e) => e.level === 'error');
    assert.match(paused?.message ?? '', /disk is full.*input paused/);
    assert.equal(paused?.fields?.error, 'ENOSPC');
    assert.equal(paused?.fields?.code, 'WS_ERR_DISK_FULL');

    await catchUp(log, 'a');
    await until(() => clock.pending() > 0, 'the writer to wait');
    assert.equal(blocked.settled, false, 'sink b still needs the segment');
    await catchUp(log, 'b');
    // No clock.advance: the append resumes because space was freed, not because a timer fired.
    await until(() => blocked.settled, 'the blocked append to resume once GC freed the segment');
    assert.deepEqual(
      (await blocked.promise).stored.map((r) => r.line),
      accepted(10, first).map((e) => e.line),
    );
    assert.equal(log.stats().full, false);
    assert.ok(logger.entries.some((e) => e.level === 'info' && /input resumed/.test(e.message)));
    assert.deepEqual(
      (await everything(log, 'a')).map((r) => r.line),
      accepted(10, first).map((e) => e.line),
    );
    await log.close();
  });

  void it('on a disk 100 % full, cursor files are still written (in place, no .tmp left), and a kill resumes each sink at its commit', async () => {
    const dir = tempDir();
    const disk = createSmallDiskFs(24);
    const clock = createFakeClock();
    const log = await openJournal({ dir, fs: disk, clock });
    const { blocked } = await fillDisk(log);
    disk.capacityBlocks = disk.usedBlocks(); // not one block left, not even for a new cursor file
    const committed = await catchUp(log, 'a');
    await until(() => blocked.settled, 'the append to resume');
    assert.deepEqual(files(dir, /\.tmp$/), [], 'no temp file left behind');

    // A kill now: the next start must resume after the commit, not re-send the whole journal.
    const reopened = await openJournal({ dir: crashImage(dir), sinkNames: ['a'], clock: createFakeClock() });
    const again = await everything(reopened, 'a');
    assert.ok(
      again.every((r) => r.seq > committed),
      `re-sent records up to seq ${committed} after a kill`,
    );
    assert.equal(again.length, 10, 'only the append that was blocked is left');
    await reopened.close();
    await log.close();
  });

  void it('a cursor write that fails leaves no 0-byte .tmp behind and keeps the last value', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const logger = createMemoryLogger();
    const log = await openJournal({ dir, fs, logger, fsync: 'always' });
    await log.append(accepted(4));
    await log.cursor('a').take(2, 1 << 30);
    await log.cursor('a').commit(2);
    fs.fail('write', 'EIO', { file: /^cursor-a\.json\.tmp$/ });
    await log.cursor('a').take(2, 1 << 30);
    await log.cursor('a').commit(4);
    assert.ok(logger.entries.some((e) => e.level === 'error' && /cursor file/.test(e.message)));
    assert.deepEqual(files(dir, /\.tmp$/), []);
    const reopened = await openJournal({ dir: crashImage(dir), sinkNames: ['a'] });
    assert.deepEqual(
      (await everything(reopened, 'a')).map((r) => r.seq),
      [3, 4],
      'resumes after the last cursor value written',
    );
    await reopened.close();
    await log.close();
  });

  void it('drop_newest: once every sink has caught up, the segment is freed and events are stored again', async () => {
    const dir = tempDir();
    const disk = createSmallDiskFs(24);
    const log = await openJournal({ dir, fs: disk, whenFull: 'drop_newest' });
    let first = 1;
    for (; ; first += 10) {
      const result = await log.append(accepted(10, first));
      if (result.dropped > 0) break;
    }
    assert.equal(log.stats().full, true);
    await catchUp(log, 'a');
    const after = await log.append(accepted(10, first + 10));
    assert.equal(after.dropped, 0, 'not dropped once the disk had room again');
    assert.equal(after.stored.length, 10);
    await log.close();
  });

  void it('stop ends the wait after a failed write and reports what was not stored', async () => {
    const dir = tempDir();
    const disk = createSmallDiskFs(24);
    const clock = createFakeClock();
    const log = await openJournal({ dir, fs: disk, clock });
    const stop = new AbortController();
    const { blocked } = await fillDisk(log, stop.signal);
    stop.abort(new Error('SIGTERM'));
    // No clock.advance: the stop, not the retry timer, ends the wait.
    await until(() => blocked.settled, 'the append to give up at stop');
    assert.deepEqual(await blocked.promise, { stored: [], dropped: 0, unstored: 10 });
    await log.close();
  });

  void it('fsync always: a failing fsync is retried until it works, and stop ends that wait too', async () => {
    const dir = tempDir();
    const fs = createFaultFs();
    const clock = createFakeClock();
    const log = await openJournal({ dir, fs, clock, fsync: 'always' });
    fs.fail('fsync', 'ENOSPC', { file: /^segment-/, times: 1000 });
    const stop = new AbortController();
    const append = track(log.append(accepted(3), stop.signal));
    assert.equal(await clock.nextSleep(), 1000);
    assert.equal(append.settled, false, 'not acknowledged before the fsync works');
    stop.abort(new Error('SIGTERM'));
    await until(() => append.settled, 'the append to stop waiting for fsync');
    const result = await append.promise;
    assert.equal(result.stored.length, 3, 'written to the segment: the next start replays them');
    assert.equal(log.cursor('a').lag().events, 3, 'counted as pending, so the exit code says so');
    await log.close();
  });
});

/**
 * The files as a kill -9 would leave them, in a directory of their own: the journal in `dir` is
 * still open in this process and holds the data directory's lock.
 */
function crashImage(dir: string): string {
  const image = tempDir();
  cpSync(dir, image, { recursive: true });
  return image;
}
