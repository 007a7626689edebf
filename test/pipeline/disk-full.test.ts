/**
 * Full disks through the whole pipeline in the test process, on real small file systems (a tmpfs
 * mounted for the test; the tests skip, saying why, where mounting is not allowed; the unit tests
 * cover the same behaviour with an injected full disk), on the fake clock:
 * - the journal fills its disk with the default segment_bytes (one big active segment): once the
 *   receiver catches up, the segment is freed and input resumes; every event is delivered once;
 * - a stop while rejected lines, or a sink's refused events, wait for a full dead-letter disk ends
 *   at shutdown_timeout, exit 74 with the summary counting what could not be written, or exit 75
 *   with the events kept in the journal.
 * SIGTERM while input is paused on a full journal disk stays in test/e2e/disk-full-e2e.test.ts.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { journalIdOf, makeCorpus, seqOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
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
  const run = await startPipeline({ args: ['--loki', receiver.url, '--data-dir', data] });
  t.after(() => {
    release();
    return run.close();
  });
  run.end(corpus.input);
  await run.advanceUntil(() => /the disk is full: input paused/.test(run.stderr()), 'input paused');
  release();
  const r = await run.finish();
  assert.equal(r.exitCode, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /journal: input resumed/);
  const s = r.summary;
  assert.equal(s.journaled, corpus.counts.valid);
  assert.deepEqual(s.sinks.loki, { delivered: corpus.counts.valid, rejected: 0, retries: {}, pending: 0 });
  const journalId = await journalIdOf(data);
  const seqs = receiver.entries().map((e) => seqOf(e.metadata.event_id ?? '', journalId));
  assert.equal(new Set(seqs).size, seqs.length, 'every event id once');
  assert.equal(seqs.length, corpus.counts.valid);
});

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
