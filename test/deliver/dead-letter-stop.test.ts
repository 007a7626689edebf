/**
 * A sink whose receiver refuses events while the dead-letter file cannot be written (disk full):
 * the records are not final until they are in the file, so the worker waits; shutdown ends that
 * wait, and the records stay uncommitted (in the journal for the next start), never lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileDeadLetter } from '../../src/dead-letter/file-dead-letter.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { makeRecords } from '../helpers/records.js';
import { startWorkerHarness } from '../helpers/test-codec.js';
import { track, until } from '../journal/helpers.js';

test('shutdown ends a sink waiting for a full dead-letter disk; the refused records stay uncommitted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-dl-stop-'));
  const dlClock = createFakeClock();
  let attempts = 0;
  const deadLetter = await createFileDeadLetter({
    path: join(dir, 'dead.ndjson'),
    maxBytes: 1 << 20,
    maxFiles: 0,
    fsync: 'never',
    fsyncIntervalMs: 1000,
    clock: dlClock,
    logger: createMemoryLogger(),
    writeFile: () => {
      attempts++;
      return Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    },
  });
  const h = await startWorkerHarness({
    records: makeRecords(3),
    deadLetter,
    reply: () => ({ status: 400, body: 'mapper_parsing_exception' }),
  });
  try {
    const stop = new AbortController();
    const run = track(h.worker.run(stop.signal));
    await dlClock.nextSleep();
    assert.equal(attempts, 1);
    assert.equal(run.settled, false, 'the refused records wait for the dead-letter file');
    stop.abort(new Error('shutdown_timeout'));
    // The dead-letter clock never moves: only the stop can end the wait.
    await until(() => run.settled, 'the worker to stop');
    await run.promise;
    assert.deepEqual(h.cursor.commits, [], 'not final, so not committed: the journal keeps them');
    assert.equal(h.sink.rejected, 0);
    assert.equal(h.stats.deadLettered, 0);
    await deadLetter.close();
    assert.equal(await readFile(join(dir, 'dead.ndjson'), 'utf8'), '');
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
});
