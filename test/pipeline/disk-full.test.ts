/**
 * A full dead-letter disk through the whole pipeline in the test process, on a real small file
 * system (a tmpfs mounted for the test; the tests skip, saying why, where mounting is not allowed;
 * the unit tests cover the same behaviour with an injected full disk), on the fake clock: a stop
 * while rejected lines, or a sink's refused events, wait for that disk ends at shutdown_timeout,
 * exit 74 with the summary counting what could not be written, or exit 75 with the events kept in
 * the journal. The full journal disk stays in test/e2e/disk-full-e2e.test.ts.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { makeCorpus, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { startPipeline, type HarnessRun } from '../helpers/pipeline-harness.js';
import { mountSmallTmpfs, type SmallFs } from '../helpers/small-tmpfs.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-disk-full-');
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

/** Numbered lines that fail the schema (time is a string): each is dead-lettered as invalid. */
const invalidLine = (n: number) =>
  `{"level":"info","log_type":"audit","time":"${1748000000 + n}","actor_type":"agent","peer_id":"bad-${n}","network_id":"net-1","action":"config.sync","message":"audit"}\n`;

/** Stops the run (a signal) and checks it ended at shutdown_timeout (2 s here) on the clock. */
async function stopWithin2s(run: HarnessRun) {
  const signalledAt = run.clock.now();
  run.pipeline.stop('SIGTERM');
  const r = await run.finish();
  const took = run.clock.now() - signalledAt;
  assert.ok(took <= 3_000, `stopped ${took} ms after the signal: bounded by shutdown_timeout`);
  return r;
}

test('a stop while rejected lines wait for a full dead-letter disk: exit 74 within shutdown_timeout, the summary counts them', async (t) => {
  const fs = await smallFs(t, 'dead-fs', '64k');
  if (!fs) return;
  const receiver = await startLokiReceiver();
  t.after(() => receiver.close());
  await fs.fill();
  const run = await startPipeline({
    args: ['--loki', receiver.url, '--dead-letter', `${fs.path}/dead.ndjson`, '--shutdown-timeout', '2s'],
  });
  t.after(() => run.close());
  run.write(invalidLine(1) + invalidLine(2) + invalidLine(3)); // stdin stays open
  await run.advanceUntil(
    () => /cannot write the dead-letter file/.test(run.stderr()),
    'the dead-letter write failed',
  );
  const r = await stopWithin2s(run);
  assert.equal(r.exitCode, 74, r.stderr.slice(-3000));
  const s = r.summary as typeof r.summary & { dead_letter_failed?: number };
  assert.equal(s.invalid, 3);
  assert.equal(s.dead_lettered, 0);
  assert.equal(s.dead_letter_failed, 3, 'what could not be written is in the summary');
  assert.match(r.stderr, /not written before shutdown/);
});

test("a stop while a sink's refused events wait for a full dead-letter disk: exit 75 within shutdown_timeout, the events stay journaled", async (t) => {
  const fs = await smallFs(t, 'refused-fs', '64k');
  if (!fs) return;
  const receiver = await startLokiReceiver();
  t.after(() => receiver.close());
  receiver.setDefaultReply(() => ({ status: 400, body: 'entry for stream has timestamp too old' }));
  await fs.fill();
  const corpus = makeCorpus(20, { onlyValid: true });
  const run = await startPipeline({
    args: ['--loki', receiver.url, '--dead-letter', `${fs.path}/dead.ndjson`, '--shutdown-timeout', '2s'],
  });
  t.after(() => run.close());
  run.write(corpus.input); // stdin stays open
  await run.advanceUntil(
    () => /cannot write the dead-letter file/.test(run.stderr()),
    'the dead-letter write failed',
  );
  const r = await stopWithin2s(run);
  assert.equal(r.exitCode, 75, r.stderr.slice(-3000));
  const s = r.summary;
  assert.equal(s.sinks.loki?.rejected, 0, 'not final: the dead-letter file never got them');
  assert.equal(s.sinks.loki?.pending, corpus.counts.valid, 'kept in the journal for the next start');
});
