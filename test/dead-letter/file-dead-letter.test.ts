import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileDeadLetter } from '../../src/dead-letter/file-dead-letter.js';
import { isDeadLetterUnwritten, type DeadLetterRecord } from '../../src/dead-letter/dead-letter.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';

const record = (n: number): DeadLetterRecord => ({
  reason: 'invalid',
  detail: `/time: must be integer (${n})`,
  source: 'stdin',
  line: `{"log_type":"audit","n":${n}}`,
  line_bytes: 25,
  truncated: false,
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ws-dl-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writes one NDJSON record per line, file mode 0600', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'sub', 'dead.ndjson');
    const clock = createFakeClock();
    const dl = await createFileDeadLetter({
      path: file,
      maxBytes: 1 << 20,
      maxFiles: 0,
      fsync: 'always',
      fsyncIntervalMs: 1000,
      clock,
      logger: createMemoryLogger(),
    });
    await dl.write([record(1), record(2)]);
    await dl.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(first.reason, 'invalid');
    assert.equal(first.line, '{"log_type":"audit","n":1}');
    assert.equal(first.time, new Date(clock.now()).toISOString());
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(dl.written, 2);
  }));

test('rotates by size and keeps every rotated file by default', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'dead.ndjson');
    const dl = await createFileDeadLetter({
      path: file,
      maxBytes: 300,
      maxFiles: 0,
      fsync: 'never',
      fsyncIntervalMs: 1000,
      clock: createFakeClock(),
      logger: createMemoryLogger(),
    });
    for (let i = 0; i < 10; i++) await dl.write([record(i)]);
    await dl.close();
    const files = (await readdir(dir)).sort();
    assert.ok(files.length > 3, `expected rotation, got ${files.join(',')}`);
    let total = 0;
    const seen: number[] = [];
    for (const f of files) {
      for (const line of (await readFile(path.join(dir, f), 'utf8')).trimEnd().split('\n')) {
        total++;
        seen.push((JSON.parse((JSON.parse(line) as { line: string }).line) as { n: number }).n);
      }
    }
    assert.equal(total, 10, 'no record lost by rotation');
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
  }));

test('a full disk pauses the writer, cuts partial writes, and loses nothing', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'dead.ndjson');
    const clock = createFakeClock();
    const logger = createMemoryLogger();
    let failures = 0;
    const dl = await createFileDeadLetter({
      path: file,
      maxBytes: 1 << 20,
      maxFiles: 0,
      fsync: 'never',
      fsyncIntervalMs: 1000,
      clock,
      logger,
      writeFile: async (handle, data) => {
        if (failures > 0) {
          failures--;
          await handle.write(data.subarray(0, 7)); // a torn write before the error
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
        await handle.write(data);
      },
    });
    await dl.write([record(0)]);
    let done = false;
    const pending = dl.write([record(1)]).then(() => (done = true));
    failures = 2;
    await clock.nextSleep();
    await clock.advance(500);
    await clock.nextSleep();
    assert.equal(done, false, 'still waiting for space');
    await clock.advance(1000);
    await pending;
    await dl.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { line: string }).line),
      ['{"log_type":"audit","n":0}', '{"log_type":"audit","n":1}'],
    );
    const errors = logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 2);
    assert.equal(errors[0]!.fields?.code, 'WS_ERR_DISK_FULL');
    assert.equal(errors[0]!.fields?.errno, 'ENOSPC');
  }));

/** A dead-letter file on a disk that is full until `disk.full` is set to false. */
async function onFullDisk(dir: string, clock = createFakeClock()) {
  const disk = { full: true, attempts: 0 };
  const logger = createMemoryLogger();
  const dl = await createFileDeadLetter({
    path: path.join(dir, 'dead.ndjson'),
    maxBytes: 1 << 20,
    maxFiles: 0,
    fsync: 'never',
    fsyncIntervalMs: 1000,
    clock,
    logger,
    writeFile: async (handle, data) => {
      disk.attempts++;
      if (disk.full) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      await handle.write(data);
    },
  });
  return { dl, disk, clock, logger, file: path.join(dir, 'dead.ndjson') };
}

const settledWith = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'written',
    (error: unknown) => error,
  );

test('stop ends the retry wait on a full disk: the write rejects as unwritten, with its count, and says so', () =>
  withDir(async (dir) => {
    const { dl, clock, logger, file } = await onFullDisk(dir);
    const stop = new AbortController();
    const pending = settledWith(dl.write([record(1), record(2)], stop.signal));
    assert.equal(await clock.nextSleep(), 500, 'retrying');
    stop.abort(new Error('SIGTERM'));
    // No clock.advance: the stop, not the retry timer, ends the wait.
    const outcome = await pending;
    assert.ok(isDeadLetterUnwritten(outcome), `rejected as unwritten: ${String(outcome)}`);
    assert.equal(outcome.records, 2);
    const lost = logger.entries.find((e) => /not written before shutdown/.test(e.message));
    assert.equal(lost?.fields?.records, 2);
    await dl.close();
    assert.equal(await readFile(file, 'utf8'), '', 'nothing half-written');
  }));

test('close() ends a write that is retrying on a full disk instead of hanging', () =>
  withDir(async (dir) => {
    const { dl, clock } = await onFullDisk(dir);
    const pending = settledWith(dl.write([record(1)]));
    await clock.nextSleep();
    await dl.close();
    assert.ok(isDeadLetterUnwritten(await pending));
  }));

test('a write queued behind a failing one leaves the queue when its stop aborts', () =>
  withDir(async (dir) => {
    const { dl, clock, disk } = await onFullDisk(dir);
    const sinkWrite = settledWith(dl.write([record(1)])); // no stop: retried until close
    await clock.nextSleep();
    const stop = new AbortController();
    const ingestWrite = settledWith(dl.write([record(2)], stop.signal));
    stop.abort(new Error('SIGTERM'));
    const outcome = await ingestWrite;
    assert.ok(isDeadLetterUnwritten(outcome));
    assert.equal(disk.attempts, 1, 'it made no attempt of its own: the disk ahead of it was failing');
    disk.full = false;
    await clock.advance(500);
    assert.equal(await sinkWrite, 'written', 'the write ahead of it goes on');
    await dl.close();
  }));

test('a write whose stop already aborted still gets one attempt, and succeeds on a healthy disk', () =>
  withDir(async (dir) => {
    const { dl, disk, file } = await onFullDisk(dir);
    disk.full = false;
    const stop = new AbortController();
    stop.abort(new Error('SIGTERM'));
    await dl.write([record(7)], stop.signal);
    await dl.close();
    assert.match(await readFile(file, 'utf8'), /"n\\":7/);
  }));
