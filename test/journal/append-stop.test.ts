/**
 * Shutdown while the log is full (when_full: block): the `stop` signal ends append's wait for
 * space, and the events not stored are reported back as `unstored` (the caller dead-letters them),
 * never silently lost and never left hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDiskJournal } from '../../src/journal/disk/disk-journal.js';
import { createMemoryLog } from '../../src/journal/memory-log.js';
import type { EventLog } from '../../src/journal/event-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { accepted, track, until } from './helpers.js';

async function blockedAppendIsReleasedByStop(log: EventLog): Promise<void> {
  // One append that cannot all fit: it stores what fits, then waits for space that never comes.
  const stop = new AbortController();
  const blocked = track(log.append(accepted(10), stop.signal));
  await until(() => log.stats().full, 'the log reports full');
  assert.equal(blocked.settled, false, 'append waits for space');
  stop.abort(new Error('SIGTERM'));
  const result = await blocked.promise;
  assert.ok(result.stored.length > 0, 'what fitted was stored');
  assert.ok(result.unstored > 0, 'the rest is reported');
  assert.equal(result.stored.length + result.unstored, 10, 'every event is stored or reported unstored');
  assert.equal(result.dropped, 0);
}

test('memory log: stop releases a blocked append and reports what it did not store', async () => {
  const log = createMemoryLog({ sinkNames: ['dead'], maxBytes: 600, whenFull: 'block' });
  try {
    await blockedAppendIsReleasedByStop(log);
  } finally {
    await log.close();
  }
});

test('disk journal: stop releases a blocked append and reports what it did not store', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ws-append-stop-'));
  const log = await createDiskJournal({
    dir,
    sinkNames: ['dead'],
    fsync: 'never',
    fsyncIntervalMs: 1000,
    maxBytes: 700,
    segmentBytes: 4096,
    whenFull: 'block',
    newSinkStart: 'head',
    clock: createFakeClock(),
    logger: createMemoryLogger(),
  });
  try {
    await blockedAppendIsReleasedByStop(log);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
});
