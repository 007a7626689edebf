/**
 * Full disks through the built CLI, on real small file systems (a tmpfs mounted for the test; the
 * tests skip, saying why, where mounting is not allowed; the unit tests cover the same behaviour
 * with an injected full disk):
 * - the journal fills its disk with the default segment_bytes (one big active segment): once the
 *   receiver catches up, the segment is freed and input resumes; every event is delivered once;
 * - SIGTERM while input is paused on that full disk ends within shutdown_timeout (exit 75).
 * A full dead-letter disk (exit 74 / 75 at shutdown_timeout) is tested on the fake clock in
 * test/pipeline/disk-full.test.ts.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { startCli } from '../helpers/run-cli.js';
import {
  deadLetters,
  journalIdOf,
  makeCorpus,
  seqOf,
  summaryOf,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { mountSmallTmpfs, type SmallFs } from '../helpers/small-tmpfs.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-disk-full-');
});
after(async () => {
  await dir.remove();
});

/** Mounts a tmpfs for one test, or skips the test with the reason. */
async function smallFs(t: TestContext, name: string, size: string): Promise<SmallFs | undefined> {
  const fs = await mountSmallTmpfs(dir.file(name), size);
  if ('skip' in fs) {
    t.skip(fs.skip);
    return undefined;
  }
  t.after(() => fs.unmount());
  return fs;
}

test('journal on a 1 MiB disk: it fills, input pauses; once the receiver catches up the disk is freed and every event is delivered once', async (t) => {
  const fs = await smallFs(t, 'journal-fs', '1m');
  if (!fs) return;
  const corpus = makeCorpus(16_000, { onlyValid: true });
  assert.ok(corpus.input.length > 3 * 1024 * 1024, 'the input is several times the disk');
  const receiver = await startLokiReceiver();
  t.after(() => receiver.close());
  let release!: () => void;
  receiver.script({ gate: new Promise<void>((resolve) => (release = resolve)), then: { status: 204 } });
  const data = `${fs.path}/data`;
  const cli = startCli(
    ['--loki', receiver.url, '--data-dir', data, '--dead-letter', dir.file('journal-dead.ndjson')],
    { timeoutMs: 60_000 },
  );
  t.after(() => {
    release();
    cli.child.kill('SIGKILL');
  });
  cli.child.stdin.end(corpus.input);
  await cli.waitForStderr(/the disk is full: input paused/, 30_000);
  release();
  const r = await cli.result;
  assert.equal(
    r.timedOut,
    false,
    `the pipeline never resumed after the disk was freed:\n${r.stderr.slice(-3000)}`,
  );
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /journal: input resumed/);
  const s = summaryOf(r.stderr);
  assert.equal(s.journaled, corpus.counts.valid);
  assert.deepEqual(s.sinks.loki, { delivered: corpus.counts.valid, rejected: 0, retries: {}, pending: 0 });
  const journalId = await journalIdOf(data);
  const seqs = receiver.entries().map((e) => seqOf(e.metadata.event_id ?? '', journalId));
  assert.equal(new Set(seqs).size, seqs.length, 'every event id once');
  assert.equal(seqs.length, corpus.counts.valid);
});

test('SIGTERM while input is paused on a full journal disk: exit 75 within shutdown_timeout, nothing lost', async (t) => {
  const fs = await smallFs(t, 'term-fs', '1m');
  if (!fs) return;
  const corpus = makeCorpus(16_000, { onlyValid: true });
  const receiver = await startLokiReceiver();
  t.after(() => receiver.close());
  await receiver.down();
  const deadFile = dir.file('term-dead.ndjson');
  const cli = startCli(
    [
      '--loki',
      receiver.url,
      '--data-dir',
      `${fs.path}/data`,
      '--dead-letter',
      deadFile,
      '--shutdown-timeout',
      '2s',
    ],
    { timeoutMs: 20_000 },
  );
  t.after(() => cli.child.kill('SIGKILL'));
  cli.child.stdin.end(corpus.input);
  await cli.waitForStderr(/the disk is full: input paused/, 15_000);
  const signalledAt = Date.now();
  cli.child.kill('SIGTERM');
  const r = await cli.result;
  assert.equal(r.timedOut, false, `SIGTERM did not end the wait on a full disk:\n${r.stderr.slice(-3000)}`);
  assert.equal(r.code, 75, r.stderr.slice(-3000));
  assert.ok(Date.now() - signalledAt < 6_000, 'bounded by shutdown_timeout');
  const s = summaryOf(r.stderr);
  assert.ok(s.journaled > 0);
  assert.equal(s.sinks.loki?.pending, s.journaled, 'the journaled events are kept for the next start');
  const unjournaled = (await deadLetters(deadFile)).filter((d) => d.reason === 'undelivered_at_shutdown');
  assert.equal(
    s.valid - s.journaled,
    unjournaled.length,
    'every valid line read is journaled or dead-lettered',
  );
});
