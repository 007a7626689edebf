/**
 * stdout is per run, and a closed stdout is the reader's choice (README "Shutdown and exit
 * codes"): `| head -1` ends the run within a second or two with exit 141, like cat, even while
 * stdin stays open; a later run prints exactly its own events; other sinks still get everything
 * that was read.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { runCli, startCli, waitForStalledInput, type CliProcess } from '../helpers/run-cli.js';
import { deadLetters, makeCorpus, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';

// ~1 MB of valid events: far more than a pipe holds, so the CLI is still writing when the reader leaves.
const big = makeCorpus(5000, { onlyValid: true });
// Lines `big` does not have; its padded config.sync lines are invalid, so only its valid lines print.
const own = makeCorpus(6, { onlyValid: true, pad: 7 });
const ownPrinted = own.validLines.map((l) => l + '\n').join('');

let receiver: LokiReceiver;
let dir: TempDir;
before(async () => {
  receiver = await startLokiReceiver();
  dir = await tempDir('ws-e2e-stdout-');
});
after(async () => {
  await receiver.close();
  await dir.remove();
});

/** Like `| head -1`: read until the first line arrives, then close our end of the pipe. */
async function closeAfterFirstLine(cli: CliProcess): Promise<number> {
  await new Promise<void>((resolve) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (!seen.includes('\n')) return;
      cli.child.stdout.off('data', onData);
      resolve();
    };
    cli.child.stdout.on('data', onData);
  });
  cli.child.stdout.destroy();
  return Date.now();
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

test('| head -1 (stdin still open): exit 141 within 2 s; the next run prints exactly its own events', async () => {
  const cwd = (await tempDir('ws-e2e-head-')).path; // the defaults: ./wirety-ship-data, ./wirety-ship-dead-letter.ndjson
  const cli = startCli([], { cwd, timeoutMs: 20_000 });
  cli.child.stdin.write(big.input); // and never ended: only the closed stdout can end this run
  const closedAt = await closeAfterFirstLine(cli);
  const r = await cli.result;
  assert.equal(r.timedOut, false, r.stderr);
  assert.ok(Date.now() - closedAt < 2000, `exited ${Date.now() - closedAt} ms after the reader left`);
  assert.equal(r.code, 141, r.stderr);
  assert.match(r.stderr, /stdout was closed by its reader: reading no more input/);

  const summary = summaryOf(r.stderr);
  const stdout = summary.sinks.stdout!;
  assert.ok((stdout.abandoned ?? 0) > 0, 'the reader left before everything was written');
  assert.equal(stdout.delivered + (stdout.abandoned ?? 0), summary.journaled, 'every event is accounted for');
  assert.equal(stdout.pending, 0, 'nothing is left for a later run');
  const dead = await deadLetters(`${cwd}/wirety-ship-dead-letter.ndjson`);
  assert.deepEqual(dead, [], 'abandoned events are not dead-lettered: the reader chose to stop');
  assert.equal(await exists(`${cwd}/wirety-ship-data`), false, 'a stdout-only run buffers in memory');

  const next = await runCli([], own.input, { cwd, timeoutMs: 20_000 });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(next.stdout.toString(), ownPrinted, 'exactly its own events, nothing of the run before');
});

test('| less, then q: a buffer that stdout filled does not turn into dead letters when the reader leaves', async () => {
  // A small memory buffer that a stuck stdout fills: input then waits for space stdout holds.
  const config = await dir.writeConfig(
    'less.yaml',
    'buffer:\n  max_bytes: 64KiB\nlog:\n  progress_interval: 100ms\n',
  );
  const deadLetter = dir.file('less-dead.ndjson');
  const cli = startCli(['--config', config, '--dead-letter', deadLetter], {
    cwd: dir.path,
    readStdout: false,
    timeoutMs: 30_000,
  });
  cli.child.stdin.write(big.input);
  await waitForStalledInput(cli, big.lines.length);
  cli.child.stdout.destroy(); // q
  const r = await cli.result;
  assert.equal(r.code, 141, r.stderr);
  const summary = summaryOf(r.stderr);
  assert.equal(summary.sinks.stdout!.delivered + (summary.sinks.stdout!.abandoned ?? 0), summary.journaled);
  assert.deepEqual(await deadLetters(deadLetter), [], 'no "journal full at shutdown" dead letters');
  assert.equal(summary.valid, summary.journaled, 'every event read was journaled');
});

test('--passthrough | head -1: exit 141 within 2 s, no crash', async () => {
  const cli = startCli(['--passthrough', '--dead-letter', dir.file('pass-dead.ndjson')], {
    cwd: dir.path,
    timeoutMs: 20_000,
  });
  cli.child.stdin.write(big.input);
  const closedAt = await closeAfterFirstLine(cli);
  const r = await cli.result;
  assert.ok(Date.now() - closedAt < 2000, `exited ${Date.now() - closedAt} ms after the reader left`);
  assert.equal(r.code, 141, r.stderr);
  assert.match(r.stderr, /stdout was closed by its reader: reading no more input/);
  assert.ok(summaryOf(r.stderr).lines_read > 0);
});

test('stdout closed next to Loki: Loki still gets every event that was read, stdout counts the rest as abandoned', async () => {
  const before = receiver.entries().length;
  const cli = startCli(
    [
      '--loki',
      receiver.url,
      '--stdout',
      '--data-dir',
      dir.file('both-data'),
      '--dead-letter',
      dir.file('both-dead.ndjson'),
    ],
    { cwd: dir.path, timeoutMs: 20_000 },
  );
  cli.child.stdin.write(big.input);
  await closeAfterFirstLine(cli);
  const r = await cli.result;
  assert.equal(r.code, 141, r.stderr);
  const summary = summaryOf(r.stderr);
  assert.ok(summary.journaled > 0);
  assert.deepEqual(
    { delivered: summary.sinks.loki!.delivered, pending: summary.sinks.loki!.pending },
    { delivered: summary.journaled, pending: 0 },
  );
  assert.equal(receiver.entries().length - before, summary.journaled);
  const stdout = summary.sinks.stdout!;
  assert.equal(stdout.delivered + (stdout.abandoned ?? 0), summary.journaled);
  assert.deepEqual(await deadLetters(dir.file('both-dead.ndjson')), []);
});

test("next to Loki, a stdout nobody reads: Loki gets everything, stdout's rest is dead-lettered, not kept", async () => {
  const args = [
    '--loki',
    receiver.url,
    '--stdout',
    '--shutdown-timeout',
    '2s',
    '--data-dir',
    dir.file('stuck-data'),
    '--dead-letter',
    dir.file('stuck-dead.ndjson'),
  ];
  const before = receiver.entries().length;
  const first = startCli(args, { cwd: dir.path, readStdout: false, timeoutMs: 30_000 });
  first.child.stdin.end(big.input);
  const r = await first.result;
  assert.equal(r.code, 75, r.stderr);
  const summary = summaryOf(r.stderr);
  assert.equal(receiver.entries().length - before, big.validLines.length, 'Loki has every event');
  const left = summary.sinks.stdout!.pending;
  assert.ok(left > 0);
  const dead = await deadLetters(dir.file('stuck-dead.ndjson'));
  assert.equal(
    dead.filter((d) => d.reason === 'undelivered_at_shutdown' && d.sink === 'stdout').length,
    left,
  );
  assert.match(r.stderr, /in the dead-letter file \(undelivered_at_shutdown\)","stdout":/);

  const second = await runCli(args, own.input, { cwd: dir.path, timeoutMs: 20_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.toString(), ownPrinted, 'exactly its own events');
  assert.doesNotMatch(second.stderr, /not printed now/, 'nothing was left in the journal for stdout');
});

test('after a kill -9, the next run does not print the events the killed run never printed', async () => {
  const args = [
    '--loki',
    receiver.url,
    '--stdout',
    '--data-dir',
    dir.file('killed-data'),
    '--dead-letter',
    dir.file('killed-dead.ndjson'),
  ];
  const before = receiver.entries().length;
  // A reader that never reads: stdout falls behind while Loki takes everything.
  const first = startCli(args, { cwd: dir.path, readStdout: false, timeoutMs: 30_000 });
  first.child.stdin.write(big.input);
  await receiver.waitForEntries(before + big.validLines.length, 20_000);
  first.child.kill('SIGKILL');
  await first.result;

  const second = await runCli(args, own.input, { cwd: dir.path, timeoutMs: 20_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout.toString(), ownPrinted, 'exactly its own events');
  assert.match(second.stderr, /stdout is per run: events an earlier run journaled but did not print/);
});
