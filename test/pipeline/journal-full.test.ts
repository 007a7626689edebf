/**
 * The durable journal through the whole pipeline, in the test process on the fake clock (backoffs
 * against a dead receiver and shutdown_timeout cost no real seconds): one dead sink next to a
 * healthy one, and a journal too small for the input (when_full block / drop_newest, a stop while
 * input is paused). Each restart runs in the same directory, so it resumes the same journal.
 * kill -9 and a torn tail stay end-to-end in test/e2e/journal-e2e.test.ts.
 *
 * Every input line is unique (its number is in it) and event ids are `${journalId}-${seq}`, so a
 * delivered entry names both the input line it came from and the journal record that carried it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { startLokiReceiver, type LokiEntry } from '../receivers/loki-receiver.js';
import {
  deadLetters,
  journalIdOf,
  makeCorpus,
  segmentFiles,
  seqOf,
  tally,
  tempDir,
  type Corpus,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { startPipeline, type HarnessResult } from '../helpers/pipeline-harness.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-journal-full-');
});
after(async () => {
  await dir.remove();
});

/** Asserts each entry's event id occurs once; returns the ids' seqs in arrival order. */
function seqsOnce(entries: readonly LokiEntry[], journalId: string, what: string): number[] {
  const ids = entries.map((e) => e.metadata.event_id ?? '');
  const repeated = [...tally(ids)].filter(([, n]) => n > 1);
  assert.deepEqual(repeated, [], `${what}: every event id exactly once`);
  return ids.map((id) => seqOf(id, journalId));
}

/** Asserts entry with seq s carries the s-th valid input line, byte for byte. */
function assertLinesMatchSeqs(entries: readonly LokiEntry[], journalId: string, corpus: Corpus): void {
  for (const e of entries) {
    const seq = seqOf(e.metadata.event_id ?? '', journalId);
    assert.equal(e.line, corpus.validLines[seq - 1], `seq ${seq} carries valid input line ${seq}`);
  }
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/** Runs the pipeline in `runDir` with `text` on stdin to its end (the clock moved as needed). */
async function runToEnd(runDir: string, configFile: string, text: string | Buffer): Promise<HarnessResult> {
  const run = await startPipeline({ dir: runDir, configFile });
  try {
    run.end(text);
    return await run.finish();
  } finally {
    await run.close();
  }
}

const journalOf = (runDir: string) => `${runDir}/wirety-ship/journal`;

test('two sinks, one down: the healthy one gets everything once; after a restart only the dead one is sent to', async () => {
  const corpus = makeCorpus(1_000);
  const healthy = await startLokiReceiver();
  const dead = await startLokiReceiver();
  try {
    await dead.down();
    const runDir = dir.file('two');
    const config = (shutdownTimeout: string) =>
      [
        shutdownTimeout,
        'sinks:',
        '  healthy:',
        '    type: loki',
        `    url: ${healthy.url}`,
        '  flaky:',
        '    type: loki',
        `    url: ${dead.url}`,
        '',
      ].join('\n');
    // The first run gives up on the dead sink after 1 s without progress; the restart keeps the
    // harness's long shutdown_timeout.
    const first = await runToEnd(runDir, config('shutdown_timeout: 1s'), corpus.input);
    assert.equal(first.exitCode, 75, first.stderr);
    const s1 = first.summary;
    assert.equal(s1.journaled, corpus.counts.valid);
    assert.equal(s1.sinks.healthy?.delivered, corpus.counts.valid);
    assert.equal(s1.sinks.healthy?.pending, 0);
    assert.equal(s1.sinks.flaky?.delivered, 0);
    assert.equal(s1.sinks.flaky?.pending, corpus.counts.valid);

    const journalId = await journalIdOf(journalOf(runDir));
    const healthyEntries = healthy.entries();
    assert.deepEqual(
      sorted(seqsOnce(healthyEntries, journalId, 'healthy sink')),
      range(1, corpus.counts.valid),
      'the healthy receiver got everything, once, despite the dead one',
    );
    assertLinesMatchSeqs(healthyEntries, journalId, corpus);
    const healthyRequests = healthy.requests.length;

    await dead.up();
    const second = await runToEnd(runDir, config(''), '');
    assert.equal(second.exitCode, 0, second.stderr);
    const deadEntries = dead.entries();
    assert.deepEqual(
      sorted(seqsOnce(deadEntries, journalId, 'recovered sink')),
      range(1, corpus.counts.valid),
      'the recovered receiver gets everything, once',
    );
    assertLinesMatchSeqs(deadEntries, journalId, corpus);
    assert.equal(healthy.requests.length, healthyRequests, 'the healthy receiver is sent nothing more');
    assert.equal(healthy.entries().length, corpus.counts.valid);
    const s2 = second.summary;
    assert.deepEqual(s2.sinks.healthy, { delivered: 0, rejected: 0, retries: {}, pending: 0 });
    assert.deepEqual(s2.sinks.flaky, {
      delivered: corpus.counts.valid,
      rejected: 0,
      retries: {},
      pending: 0,
    });
  } finally {
    await healthy.close();
    await dead.close();
  }
});

const tinyJournal = (
  url: string,
  whenFull: 'block' | 'drop_newest',
  shutdownTimeout = 'shutdown_timeout: 1s',
) =>
  [
    'input: { max_line_bytes: 4KiB }',
    'buffer:',
    '  max_bytes: 64KiB',
    '  segment_bytes: 16KiB',
    `  when_full: ${whenFull}`,
    '  fsync_interval: 100ms',
    shutdownTimeout,
    'sinks:',
    '  loki:',
    '    type: loki',
    `    url: ${url}`,
    '    batch: { max_events: 100, max_wait: 50ms }',
    '',
  ].join('\n');

test('when_full: block with a tiny journal: input pauses while the receiver is stuck, then everything is delivered', async () => {
  const corpus = makeCorpus(3_000);
  assert.ok(corpus.input.length > 4 * 64 * 1024, 'the input is several times the journal');
  const receiver = await startLokiReceiver();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  receiver.script({ gate, then: { status: 204 } });
  const run = await startPipeline({ configFile: tinyJournal(receiver.url, 'block', '') });
  try {
    run.end(corpus.input);
    await run.advanceUntil(
      () => /journal full: input paused/.test(run.stderr()) && receiver.requests.length >= 1,
      'input paused, the first push at the receiver',
    );
    assert.equal(receiver.requests.length, 1, 'only the stuck push was sent');
    assert.ok(run.pipeline.stats.linesRead < corpus.lines.length, 'reading stopped: the writer is held back');
    const segmentBytes = (
      await Promise.all((await segmentFiles(journalOf(run.dir))).map((f) => stat(f)))
    ).reduce((n, s) => n + s.size, 0);
    assert.ok(segmentBytes <= 64 * 1024, `the journal stays within max_bytes (${segmentBytes} B)`);
    release();
    const r = await run.finish();
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /journal: input resumed/);
    const s = r.summary;
    assert.equal(s.lines_read, corpus.lines.length);
    assert.equal(s.dropped_full, 0);
    assert.equal(s.journaled, corpus.counts.valid);
    assert.deepEqual(s.sinks.loki, { delivered: corpus.counts.valid, rejected: 0, retries: {}, pending: 0 });
    const journalId = await journalIdOf(journalOf(run.dir));
    const entries = receiver.entries();
    assert.deepEqual(sorted(seqsOnce(entries, journalId, 'block')), range(1, corpus.counts.valid));
    assertLinesMatchSeqs(entries, journalId, corpus);
  } finally {
    release();
    await run.close();
    await receiver.close();
  }
});

test('when_full: drop_newest with the receiver down: drops are counted exactly, and what was kept is delivered later', async () => {
  const corpus = makeCorpus(3_000);
  const receiver = await startLokiReceiver();
  try {
    await receiver.down();
    const runDir = dir.file('drop');
    const first = await runToEnd(runDir, tinyJournal(receiver.url, 'drop_newest'), corpus.input);
    assert.equal(first.exitCode, 75, first.stderr);
    assert.match(first.stderr, /journal full: dropping the newest events/);
    const s1 = first.summary;
    assert.equal(s1.valid, corpus.counts.valid);
    assert.ok(s1.journaled > 0 && s1.dropped_full > 0, `some kept, some dropped: ${JSON.stringify(s1)}`);
    assert.equal(s1.dropped_full, s1.valid - s1.journaled, 'dropped_full = valid − journaled');
    assert.equal(s1.journaled + s1.dropped_full, corpus.counts.valid);
    assert.equal(s1.sinks.loki?.pending, s1.journaled);

    await receiver.up();
    const second = await runToEnd(runDir, tinyJournal(receiver.url, 'drop_newest', ''), '');
    assert.equal(second.exitCode, 0, second.stderr);
    const entries = receiver.entries();
    assert.equal(entries.length, s1.journaled, 'exactly the kept events are delivered');
    assert.equal(new Set(entries.map((e) => e.metadata.event_id)).size, entries.length);
    // The kept events are valid input lines in input order (a subsequence of the input).
    const position = new Map(corpus.validLines.map((l, i) => [l, i]));
    const journalId = await journalIdOf(journalOf(runDir));
    const bySeq = [...entries].sort(
      (a, b) => seqOf(a.metadata.event_id!, journalId) - seqOf(b.metadata.event_id!, journalId),
    );
    const positions = bySeq.map((e) => {
      const p = position.get(e.line);
      assert.ok(p !== undefined, 'only valid input lines are delivered');
      return p;
    });
    assert.deepEqual(positions, sorted(positions), 'journal order is input order');
    const dead = await deadLetters(`${runDir}/wirety-ship/dead-letter.ndjson`);
    assert.deepEqual(
      dead.filter((d) => d.reason !== 'invalid' && d.reason !== 'not_json'),
      [],
      'dropped events are counted, not dead-lettered; no event was rejected',
    );
  } finally {
    await receiver.close();
  }
});

test('a stop while input is paused on a full journal (block, receiver down): exit 75 within shutdown_timeout, nothing lost', async () => {
  const corpus = makeCorpus(3_000);
  const receiver = await startLokiReceiver();
  try {
    await receiver.down();
    const runDir = dir.file('full-term');
    const run = await startPipeline({ dir: runDir, configFile: tinyJournal(receiver.url, 'block') });
    let first;
    try {
      run.end(corpus.input);
      await run.advanceUntil(() => /journal full: input paused/.test(run.stderr()), 'input paused');
      const signalledAt = run.clock.now();
      run.pipeline.stop('SIGTERM');
      first = await run.finish();
      assert.ok(run.clock.now() - signalledAt <= 2_000, 'bounded by shutdown_timeout');
    } finally {
      await run.close();
    }
    assert.equal(first.exitCode, 75, first.stderr);
    const s1 = first.summary;
    assert.ok(s1.journaled > 0);
    assert.equal(s1.sinks.loki?.pending, s1.journaled, 'the journaled events are kept');
    // Valid lines read but not journaled must not vanish: dropped (counted) or dead-lettered.
    const validRead = new Set(corpus.validLines.slice(0, s1.valid));
    const deadValid = (await deadLetters(run.deadLetterPath)).filter(
      (d) => typeof d.line === 'string' && validRead.has(d.line),
    ).length;
    assert.equal(
      s1.valid - s1.journaled - s1.dropped_full,
      deadValid,
      'every valid line read is accounted for',
    );

    await receiver.up();
    const second = await runToEnd(runDir, tinyJournal(receiver.url, 'block', ''), '');
    assert.equal(second.exitCode, 0, second.stderr);
    const journalId = await journalIdOf(journalOf(runDir));
    const entries = receiver.entries();
    assert.deepEqual(sorted(seqsOnce(entries, journalId, 'after restart')), range(1, s1.journaled));
    assertLinesMatchSeqs(entries, journalId, corpus);
  } finally {
    await receiver.close();
  }
});
