/**
 * Shutdown as operators meet it, through real signals to the spawned CLI: SIGTERM delivers what is
 * in flight and exits 0; with a receiver that keeps failing it exits 75 after shutdown_timeout
 * and says how many events are left; a second signal exits at once; SIGHUP stops like SIGTERM.
 * The timing of shutdown (shutdown_timeout at end of input, a stdout nobody reads, --passthrough
 * to it) is tested on the fake clock in test/pipeline/shutdown.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { startCli } from '../helpers/run-cli.js';
import { summaryOf } from '../helpers/e2e-corpus.js';

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
