/**
 * The durable journal through the built CLI, the way operators meet it: kill -9 in the middle of
 * shipping and a torn journal tail. A receiver down for a whole run is tested on the fake clock in
 * test/pipeline/outages.test.ts; one dead sink next to a healthy one and a journal too small for
 * the input (when_full block / drop_newest, a stop while input is paused) in
 * test/pipeline/journal-full.test.ts.
 *
 * Every input line is unique (its number is in it) and event ids are `${journalId}-${seq}`, so a
 * delivered entry names both the input line it came from and the journal record that carried it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stat, truncate } from 'node:fs/promises';
import { decodeLokiPush, startLokiReceiver, type LokiEntry } from '../receivers/loki-receiver.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import {
  deadLetters,
  journalIdOf,
  logLines,
  makeCorpus,
  persistedCursor,
  pollUntil,
  segmentFiles,
  seqOf,
  summaryOf,
  tally,
  tempDir,
  type Corpus,
  type TempDir,
} from '../helpers/e2e-corpus.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-journal-');
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

test('kill -9 while shipping, 3 random points: a restart delivers every accepted event, duplicates bounded', async (t) => {
  const corpus = makeCorpus(20_000);
  const batchEvents = 500;
  // The writer stays at most this many valid events ahead of the receiver, so the CLI is killed
  // in the middle of its input (stdin still open, lines still arriving), not after reading it all.
  const leadEvents = 3_000;
  // Input the CLI may have read (or not) without having journaled it when killed: the pipe
  // (64 KiB), the stdin stream's buffer and one read (≤ 64 KiB each), the chunk being processed.
  const unreadSlack = 256 * 1024;
  const chunkBytes = 16 * 1024;
  const input = Buffer.from(corpus.input);
  const validWithin = (bytes: number) => corpus.validEnds.filter((end) => end <= bytes).length;
  const seed = Date.now() % 1_000_000;
  t.diagnostic(`kill points seeded with ${seed}`);
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };

  for (let iteration = 0; iteration < 3; iteration++) {
    // Iteration 0 kills the moment the held push arrives (appends, commits and cursor writes may
    // be under way); the others first let the last answered push's commit reach the cursor file,
    // so the one batch a restart may send twice is exactly the unanswered one.
    const settleFirst = iteration > 0;
    const k = 1 + Math.floor(random() * (corpus.counts.valid - 1));
    const data = dir.file(`kill-${iteration}-data`);
    const deadPath = dir.file(`kill-${iteration}-dead.ndjson`);
    const receiver = await startLokiReceiver();
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    let cli: ReturnType<typeof startCli> | undefined;
    try {
      const config = await dir.writeConfig(
        `kill-${iteration}.yaml`,
        [
          `buffer: { data_dir: "${data}" }`,
          `dead_letter: { path: "${deadPath}" }`,
          'shutdown_timeout: 1s',
          'sinks:',
          '  loki:',
          '    type: loki',
          `    url: ${receiver.url}`,
          `    batch: { max_events: ${batchEvents}, max_wait: 50ms }`,
          '',
        ].join('\n'),
      );

      // The push that holds entry k is stored (Loki stores before it answers) and never answered:
      // the CLI is killed with that batch in flight, the worst moment for duplicates.
      let heldFrom: number | undefined; // entries stored before the held push
      let heldSize = 0;
      let onHeld!: () => void;
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      // The writer paces itself on the receiver's progress (no timers: woken by each push).
      let stored = 0;
      let wakeWriter: (() => void) | undefined;
      const progress = () =>
        new Promise<void>((resolve) => {
          wakeWriter = resolve;
        });
      receiver.setDefaultReply((request) => {
        if (heldFrom !== undefined) return { gate: hold, then: { status: 204 } };
        const size = decodeLokiPush(request.body).reduce((n, s) => n + s.entries.length, 0);
        const before = receiver.entries().length;
        stored = before + size;
        wakeWriter?.();
        if (before + size < k) return { status: 204 };
        heldFrom = before;
        heldSize = size;
        onHeld();
        return { gate: hold, then: { status: 204 } };
      });

      cli = startCli(['--config', config], { cwd: dir.path, timeoutMs: 30_000 });
      const stdin = cli.child.stdin;
      let written = 0; // bytes handed to the pipe
      let stopWriting = false;
      const writer = (async () => {
        for (let at = 0; at < input.length && !stopWriting; at += chunkBytes) {
          while (!stopWriting && stored < validWithin(at) - leadEvents)
            await Promise.race([progress(), held]);
          if (stopWriting) return;
          const chunk = input.subarray(at, at + chunkBytes);
          const ok = await new Promise<boolean>((resolve) => stdin.write(chunk, (error) => resolve(!error)));
          if (!ok) return;
          written += chunk.length;
        }
        if (!stopWriting) stdin.end();
      })();
      const exited = cli.result.then((r) => {
        throw new Error(`the CLI exited before the kill point (code ${r.code}):\n${r.stderr}`);
      });
      await Promise.race([held, exited]);
      stopWriting = true;

      const journalId = await journalIdOf(data);
      const answeredThrough = Math.max(
        0,
        ...receiver
          .entries()
          .slice(0, heldFrom)
          .map((e) => seqOf(e.metadata.event_id!, journalId)),
      );
      if (settleFirst) {
        await pollUntil('the cursor file to reach the last answered push', async () => {
          const c = await persistedCursor(data, 'loki');
          return c !== undefined && c >= answeredThrough ? c : undefined;
        });
      }
      const writtenAtKill = written;
      cli.child.kill('SIGKILL');
      const killed = await cli.result;
      await writer;
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      const cursorAtKill = (await persistedCursor(data, 'loki')) ?? 0;
      assert.ok(cursorAtKill <= answeredThrough, 'the cursor never passes the unanswered batch');
      if (settleFirst) assert.equal(cursorAtKill, answeredThrough);

      const run1 = receiver.entries().slice();
      release();
      receiver.setDefaultReply(() => ({ status: 204 }));
      const second = await runCli(['--config', config], '', { cwd: dir.path, timeoutMs: 30_000 });
      assert.equal(second.code, 0, second.stderr);
      const run2 = receiver.entries().slice(run1.length);

      // (a) nothing at the receiver that is not a valid input line, and seq s is valid line s.
      assertLinesMatchSeqs([...run1, ...run2], journalId, corpus);
      // The first run delivered a prefix of the journal, each event once; the held push last.
      const seqs1 = sorted(seqsOnce(run1, journalId, 'first run'));
      const delivered1 = seqs1.at(-1) ?? 0;
      assert.deepEqual(seqs1, range(1, delivered1), 'the first run delivered seqs 1..M');
      assert.equal(delivered1 - answeredThrough, heldSize, 'the held push is the last one');
      assert.ok(delivered1 >= k, 'the receiver got entry k');
      // The restart resumes at the persisted cursor and delivers the rest of the journal once.
      const seqs2 = sorted(seqsOnce(run2, journalId, 'restart'));
      const journaled = seqs2.at(-1) ?? cursorAtKill;
      assert.deepEqual(seqs2, range(cursorAtKill + 1, journaled), 'the restart delivers seqs C+1..N once');
      // (c) union = 1..N, prefix-closed: nothing accepted before a delivered line is missing.
      assert.ok(journaled >= delivered1, 'the journal holds everything the first run sent');
      assert.equal(new Set([...seqs1, ...seqs2]).size, journaled);
      // Every event whose line was surely consumed is in the journal; nothing never written is.
      const surelyRead = validWithin(writtenAtKill - unreadSlack);
      const couldRead = validWithin(writtenAtKill);
      assert.ok(
        journaled >= surelyRead,
        `accepted events kept: ${journaled} journaled, ≥ ${surelyRead} read`,
      );
      assert.ok(journaled <= couldRead, `${journaled} journaled ≤ ${couldRead} written`);
      // (b) duplicates are the events past the persisted cursor the first run had sent; once the
      // last answered commit is on disk, that is exactly the unanswered batch.
      const duplicates = seqs1.filter((s) => s > cursorAtKill).length;
      assert.equal(duplicates, delivered1 - cursorAtKill);
      if (settleFirst) {
        assert.equal(duplicates, heldSize);
        assert.ok(duplicates <= batchEvents, `${duplicates} duplicates ≤ one batch (${batchEvents})`);
      }
      // (d) no loss reported after the restart.
      const s2 = summaryOf(second.stderr);
      assert.deepEqual(s2.sinks.loki, {
        delivered: journaled - cursorAtKill,
        rejected: 0,
        retries: {},
        pending: 0,
      });
      const dead = await deadLetters(deadPath);
      assert.deepEqual(
        dead.filter((d) => d.reason !== 'invalid' && d.reason !== 'not_json'),
        [],
        'only bad input lines are dead-lettered, never an event',
      );
      t.diagnostic(
        `iteration ${iteration} (${settleFirst ? 'cursor settled' : 'immediate'}): entry k=${k}, ` +
          `written ${writtenAtKill}/${input.length} B, journaled ${journaled}, first run delivered ` +
          `${delivered1}, persisted cursor ${cursorAtKill}, duplicates ${duplicates}`,
      );
    } finally {
      release();
      cli?.child.kill('SIGKILL');
      await cli?.result;
      await receiver.close();
    }
  }
});

test('torn journal tail: the cut is reported at start and every event before the torn record is delivered', async () => {
  const corpus = makeCorpus(400);
  const receiver = await startLokiReceiver();
  try {
    await receiver.down();
    const data = dir.file('torn-data');
    const args = [
      '--loki',
      receiver.url,
      '--data-dir',
      data,
      '--dead-letter',
      dir.file('torn-dead.ndjson'),
      '--shutdown-timeout',
      '1s',
    ];
    const first = await runCli(args, corpus.input, { cwd: dir.path, timeoutMs: 20_000 });
    assert.equal(first.code, 75, first.stderr);
    const n = summaryOf(first.stderr).journaled;
    assert.equal(n, corpus.counts.valid);

    const segments = await segmentFiles(data);
    assert.ok(segments.length >= 1, 'the journal has segment files');
    const last = segments.at(-1)!;
    const size = (await stat(last)).size;
    const lastRecordBytes = 28 + Buffer.byteLength(corpus.validLines.at(-1)!);
    const cut = 5;
    await truncate(last, size - cut);

    await receiver.up();
    const second = await runCli(args, '', { cwd: dir.path, timeoutMs: 20_000 });
    assert.equal(second.code, 0, second.stderr);
    const warning = logLines(second.stderr).find((l) => /cut a torn or corrupt tail/.test(String(l.msg)));
    assert.ok(warning, `the recovery warning is logged:\n${second.stderr}`);
    assert.equal(warning.level, 'warn');
    assert.equal(warning.tornBytes, lastRecordBytes - cut, 'what is left of the torn record is cut');
    assert.equal(warning.lastSeq, n - 1);

    const entries = receiver.entries();
    const journalId = await journalIdOf(data);
    const seqs = seqsOnce(entries, journalId, 'after recovery');
    assert.deepEqual(sorted(seqs), range(1, n - 1), 'every record before the torn one, once');
    assertLinesMatchSeqs(entries, journalId, corpus);
    const s2 = summaryOf(second.stderr);
    assert.equal(s2.sinks.loki?.delivered, n - 1);
    assert.equal(s2.sinks.loki?.pending, 0);
  } finally {
    await receiver.close();
  }
});
