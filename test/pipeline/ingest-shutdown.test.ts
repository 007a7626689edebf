/**
 * Ingest at shutdown while the disk under the dead-letter file is full: the stop signal ends every
 * wait, and whatever could not be written is counted (dead_letter_failed), never left hanging and
 * never lost silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createClassifier } from '../../src/audit/classify.js';
import { createFileDeadLetter } from '../../src/dead-letter/file-dead-letter.js';
import { createMemoryLog } from '../../src/journal/memory-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import { runIngest } from '../../src/pipeline/ingest.js';
import { createStdinInput } from '../../src/sources/stdin/stdin-input.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { serverLine } from '../helpers/records.js';
import { track, until } from '../journal/helpers.js';

const invalidLine = serverLine.replace('"time":1748000000', '"time":"yesterday"');

async function setup(maxBytes: number) {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ingest-stop-'));
  const clock = createFakeClock();
  let attempts = 0;
  const deadLetter = await createFileDeadLetter({
    path: join(dir, 'dead.ndjson'),
    maxBytes: 1 << 20,
    maxFiles: 0,
    fsync: 'never',
    fsyncIntervalMs: 1000,
    clock,
    logger: createMemoryLogger(),
    writeFile: () => {
      attempts++;
      return Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    },
  });
  const log = createMemoryLog({ sinkNames: ['dead-sink'], maxBytes, whenFull: 'block' });
  const input = new PassThrough();
  const stats = createStats();
  const stop = new AbortController();
  const ingest = track(
    runIngest({
      input: createStdinInput({ stream: input, maxLineBytes: 256 * 1024 }),
      maxLineBytes: 256 * 1024,
      classify: createClassifier(),
      audit: { unknown_actions: 'forward', not_json: 'dead_letter' },
      log,
      deadLetter,
      stats,
      logger: createMemoryLogger(),
      now: () => clock.now(),
      signal: stop.signal,
    }),
  );
  return {
    clock,
    input,
    stats,
    stop,
    ingest,
    log,
    attempts: () => attempts,
    async cleanup() {
      input.destroy();
      await deadLetter.close();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test('SIGTERM while a rejected line waits for a full dead-letter disk: ingest ends and counts it as failed', async () => {
  const s = await setup(1 << 20);
  try {
    s.input.write(invalidLine + '\n' + invalidLine + '\n');
    assert.equal(await s.clock.nextSleep(), 500, 'the dead-letter write is retrying');
    assert.equal(s.ingest.settled, false, 'input is paused meanwhile');
    s.stop.abort(new Error('SIGTERM'));
    // The fake clock never moves: only the stop can end the wait.
    await until(() => s.ingest.settled, 'ingest to end at the stop');
    assert.equal(await s.ingest.promise, false);
    assert.equal(s.stats.verdicts.invalid, 2);
    assert.equal(s.stats.deadLettered, 0);
    assert.equal(s.stats.deadLetterFailed, 2, 'counted, so the summary and the exit code say so');
  } finally {
    await s.cleanup();
  }
});

test('SIGTERM with the journal full and the dead-letter disk full: the unjournaled events get one attempt, then count as failed', async () => {
  const s = await setup(Buffer.byteLength(serverLine) + 10); // room for one event
  try {
    s.input.write(`${serverLine}\n${serverLine}\n${serverLine}\n`);
    await until(() => s.log.stats().full, 'the journal to be full');
    s.stop.abort(new Error('SIGTERM'));
    await until(() => s.ingest.settled, 'ingest to end at the stop');
    assert.equal(s.stats.journaled, 1);
    assert.equal(s.stats.unjournaled, 2);
    assert.equal(s.attempts(), 1, 'one attempt, then given up: the shutdown has begun');
    assert.equal(s.stats.deadLetterFailed, 2);
    assert.equal(s.stats.deadLettered, 0);
  } finally {
    await s.cleanup();
  }
});
