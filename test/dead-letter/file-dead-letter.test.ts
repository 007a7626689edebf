import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileDeadLetter } from '../../src/dead-letter/file-dead-letter.js';
import type { DeadLetterRecord } from '../../src/dead-letter/dead-letter.js';
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
    assert.equal(errors[0]!.fields?.code, 'ENOSPC');
  }));
