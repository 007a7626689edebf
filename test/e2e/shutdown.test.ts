/**
 * Shutdown as operators meet it: SIGTERM delivers what is in flight and exits 0; with a receiver
 * that keeps failing it exits 75 after shutdown_timeout and says how many events are left; a
 * second signal exits at once; SIGHUP stops like SIGTERM; a stdout reader that never reads
 * (`| sleep 3600`) cannot hold the run past shutdown_timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { startCli, waitForStalledInput } from '../helpers/run-cli.js';
import { deadLetters, makeCorpus, summaryOf } from '../helpers/e2e-corpus.js';

const line = (n: number) =>
  `{"level":"info","log_type":"audit","time":${1748000000 + n},"actor_type":"agent","peer_id":"peer-${n}","network_id":"net-1","action":"config.sync","message":"audit"}\n`;

// Bound on a start: a few hundred ms usually, but seconds on a loaded machine (the schema compiles first).
const START_MS = 40_000;

let receiver: LokiReceiver;
let dir: string;
before(async () => {
  receiver = await startLokiReceiver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-stop-'));
});
after(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

const args = (name: string, extra: string[] = []) => [
  '--loki',
  receiver.url,
  '--data-dir',
  path.join(dir, `${name}-data`),
  '--dead-letter',
  path.join(dir, `${name}-dead.ndjson`),
  ...extra,
];

test('SIGTERM: stops reading, delivers what is in flight, exits 0', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  receiver.script({ gate, then: { status: 204 } });
  const before = receiver.entries().length;
  const cli = startCli(args('flush'), { timeoutMs: 2 * START_MS });
  cli.child.stdin.write(line(1) + line(2) + line(3));
  await receiver.waitForRequests(receiver.requests.length + 1, START_MS);
  cli.child.kill('SIGTERM');
  await cli.waitForStderr(/shutting down/);
  release();
  const r = await cli.result;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(receiver.entries().length - before, 3);
});

test('SIGTERM with a failing receiver: exit 75 after shutdown_timeout, the count left is reported', async () => {
  receiver.setDefaultReply(() => ({ status: 503, body: 'overloaded' }));
  try {
    const cli = startCli(args('fail', ['--shutdown-timeout', '1s']));
    cli.child.stdin.write(line(1) + line(2));
    await cli.waitForStderr(/503|overloaded|retry/i);
    const signalledAt = Date.now();
    cli.child.kill('SIGTERM');
    const r = await cli.result;
    assert.equal(r.code, 75, r.stderr);
    assert.ok(Date.now() - signalledAt < 10_000, 'bounded by shutdown_timeout');
    assert.match(r.stderr, /not delivered/);
    assert.match(r.stderr, /"loki":2/);
  } finally {
    receiver.setDefaultReply(() => ({ status: 204 }));
  }
});

test('a second signal exits at once', async () => {
  receiver.setDefaultReply(() => ({ status: 503 }));
  try {
    const cli = startCli(args('twice', ['--shutdown-timeout', '60s']), { timeoutMs: 2 * START_MS });
    cli.child.stdin.write(line(1));
    await receiver.waitForRequests(receiver.requests.length + 1, START_MS);
    cli.child.kill('SIGTERM');
    await cli.waitForStderr(/shutting down/);
    cli.child.kill('SIGTERM');
    const r = await cli.result;
    assert.equal(r.code, 143, r.stderr);
  } finally {
    receiver.setDefaultReply(() => ({ status: 204 }));
  }
});

test('SIGHUP stops gracefully like SIGTERM: delivers what is in flight, prints the summary, exits 0', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  receiver.script({ gate, then: { status: 204 } });
  const before = receiver.entries().length;
  const cli = startCli(args('hup'), { timeoutMs: 2 * START_MS });
  cli.child.stdin.write(line(1) + line(2) + line(3));
  await receiver.waitForRequests(receiver.requests.length + 1, START_MS);
  cli.child.kill('SIGHUP');
  await cli.waitForStderr(/shutting down.*SIGHUP/);
  // A closing terminal may send SIGHUP more than once: that is not a request to exit at once.
  cli.child.kill('SIGHUP');
  await cli.waitForStderr(/SIGHUP ignored: already stopping/);
  release();
  const r = await cli.result;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
  assert.equal(receiver.entries().length - before, 3);
  assert.equal(summaryOf(r.stderr).sinks.loki?.delivered, 3);
});

// ~600 KB of events: far more than a pipe and the reading side's buffer hold.
const flood = makeCorpus(3000, { onlyValid: true });

test('| sleep 3600 at end of input: exit 75 within shutdown_timeout; what stdout did not take is dead-lettered', async () => {
  const deadLetter = path.join(dir, 'stuck-dead.ndjson');
  // No receiver: the embedded stdout sink (memory buffer), and a reader that never reads.
  const cli = startCli(['--shutdown-timeout', '3s', '--dead-letter', deadLetter], {
    cwd: dir,
    readStdout: false,
    timeoutMs: 25_000,
  });
  cli.child.stdin.end(flood.input);
  await cli.waitForStderr(/end of input: delivering what is left/, 20_000);
  const endOfInputAt = Date.now();
  const r = await cli.result;
  assert.equal(r.timedOut, false, 'the stuck reader held the run: ' + r.stderr);
  assert.ok(
    Date.now() - endOfInputAt < 3000 + 4000,
    `exited ${Date.now() - endOfInputAt} ms after end of input`,
  );
  assert.equal(r.code, 75, r.stderr);
  assert.match(r.stderr, /shutdown_timeout reached/);
  const summary = summaryOf(r.stderr);
  const stdout = summary.sinks.stdout!;
  assert.ok(stdout.pending > 0);
  assert.equal(stdout.delivered + stdout.pending, flood.validLines.length);
  const dead = (await deadLetters(deadLetter)).filter((d) => d.reason === 'undelivered_at_shutdown');
  assert.equal(dead.length, stdout.pending, 'each event stdout did not take is in the dead-letter file');
  assert.ok(dead.every((d) => d.sink === 'stdout'));
});

test('| sleep 3600 and SIGTERM (stdin still open): exit 75 within shutdown_timeout', async () => {
  const config = path.join(dir, 'stuck-term.yaml');
  await writeFile(config, 'shutdown_timeout: 3s\nlog:\n  progress_interval: 100ms\n');
  const cli = startCli(['--config', config, '--dead-letter', path.join(dir, 'stuck-term-dead.ndjson')], {
    cwd: dir,
    readStdout: false,
    timeoutMs: 25_000,
  });
  cli.child.stdin.write(flood.input);
  // Everything read, and stdout still owes events: the reader is not reading.
  await cli.waitForStderr(
    new RegExp(`"msg":"progress","lines_read":${flood.lines.length},.*"pending":[1-9]`),
    20_000,
  );
  cli.child.kill('SIGTERM');
  const signalledAt = Date.now();
  const r = await cli.result;
  assert.equal(r.timedOut, false, 'the stuck reader held the run: ' + r.stderr);
  assert.ok(Date.now() - signalledAt < 3000 + 4000, `exited ${Date.now() - signalledAt} ms after SIGTERM`);
  assert.equal(r.code, 75, r.stderr);
});

test('--passthrough | sleep 3600 and SIGTERM: exit within shutdown_timeout, Loki has everything read', async () => {
  const config = path.join(dir, 'stuck-pass.yaml');
  await writeFile(config, 'shutdown_timeout: 3s\nlog:\n  progress_interval: 100ms\n');
  const before = receiver.entries().length;
  const cli = startCli(['--config', config, '--passthrough', ...args('stuck-pass')], {
    cwd: dir,
    readStdout: false,
    timeoutMs: 25_000,
  });
  cli.child.stdin.write(flood.input);
  // Passthrough waits for stdout before reading on: wait until reading has stalled short of the end.
  await waitForStalledInput(cli, flood.lines.length);
  cli.child.kill('SIGTERM');
  const signalledAt = Date.now();
  const r = await cli.result;
  assert.equal(r.timedOut, false, 'the stuck reader held the run: ' + r.stderr);
  assert.ok(Date.now() - signalledAt < 3000 + 4000, `exited ${Date.now() - signalledAt} ms after SIGTERM`);
  assert.equal(r.code, 0, r.stderr);
  const summary = summaryOf(r.stderr);
  assert.ok(summary.lines_read < flood.lines.length, 'reading had stopped at the stuck stdout');
  assert.equal(receiver.entries().length - before, summary.journaled);
});
