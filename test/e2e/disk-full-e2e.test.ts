/**
 * A full journal disk through the built CLI, on a real small file system (a tmpfs mounted for the
 * test; the test skips, saying why, where mounting is not allowed; the unit tests cover the same
 * behaviour with an injected full disk): SIGTERM while input is paused on that full disk ends
 * within shutdown_timeout (exit 75). The journal filling its disk and resuming, and a full
 * dead-letter disk (exit 74 / 75 at shutdown_timeout), are tested on the fake clock in
 * test/pipeline/disk-full.test.ts.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { startCli } from '../helpers/run-cli.js';
import { deadLetters, makeCorpus, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
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
