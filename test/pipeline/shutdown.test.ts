/**
 * Shutdown (pipeline/shutdown.ts, the stop order in pipeline.ts) in the test process, on the fake
 * clock: a stop delivers what is in flight; with a receiver that keeps failing the run ends at
 * shutdown_timeout (measured on the clock) with exit 75 and the count left; a stdout nobody
 * reads cannot hold the run past shutdown_timeout. The spawned-CLI side (real signals, the
 * second signal, SIGHUP) stays in test/e2e/shutdown.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { deadLetters, makeCorpus } from '../helpers/e2e-corpus.js';
import { startPipeline } from '../helpers/pipeline-harness.js';

const line = (n: number) =>
  `{"level":"info","log_type":"audit","time":${1748000000 + n},"actor_type":"agent","peer_id":"peer-${n}","network_id":"net-1","action":"config.sync","message":"audit"}\n`;

let receiver: LokiReceiver;
before(async () => {
  receiver = await startLokiReceiver();
});
after(async () => {
  await receiver.close();
});

test('stop (a signal): stops reading, delivers what is in flight, exit 0', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  receiver.script({ gate, then: { status: 204 } });
  const before = receiver.entries().length;
  const requests = receiver.requests.length;
  const run = await startPipeline({ args: ['--loki', receiver.url] });
  try {
    run.write(line(1) + line(2) + line(3));
    await run.advanceUntil(() => receiver.requests.length > requests, 'the push was sent');
    run.pipeline.stop('SIGTERM');
    assert.match(run.stderr(), /shutting down/);
    release();
    const r = await run.finish();
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(receiver.entries().length - before, 3);
    assert.equal(r.summary.sinks.loki?.delivered, 3);
  } finally {
    await run.close();
  }
});

test('stop with a failing receiver: exit 75 at shutdown_timeout, the count left is reported', async () => {
  receiver.setDefaultReply(() => ({ status: 503, body: 'overloaded' }));
  const run = await startPipeline({ args: ['--loki', receiver.url, '--shutdown-timeout', '5s'] });
  try {
    run.write(line(1) + line(2));
    await run.advanceUntil(() => /503|overloaded/.test(run.stderr()), 'a failed attempt was logged');
    const signalledAt = run.clock.now();
    run.pipeline.stop('SIGTERM');
    const r = await run.finish();
    assert.equal(r.exitCode, 75, r.stderr);
    const took = run.clock.now() - signalledAt;
    assert.ok(took >= 5_000 && took <= 6_000, `stopped ${took} ms after the signal, not at shutdown_timeout`);
    assert.match(r.stderr, /shutdown_timeout reached/);
    assert.match(r.stderr, /not delivered/);
    assert.match(r.stderr, /"loki":2/);
    assert.equal(r.undelivered.get('loki'), 2);
  } finally {
    receiver.setDefaultReply(() => ({ status: 204 }));
    await run.close();
  }
});

test('end of input with a failing receiver: gives up once no sink progressed for shutdown_timeout', async () => {
  receiver.setDefaultReply(() => ({ status: 503 }));
  const run = await startPipeline({ args: ['--loki', receiver.url, '--shutdown-timeout', '7s'] });
  try {
    run.end(line(1));
    await run.advanceUntil(() => /end of input/.test(run.stderr()), 'end of input');
    const endAt = run.clock.now();
    const r = await run.finish();
    assert.equal(r.exitCode, 75, r.stderr);
    const took = run.clock.now() - endAt;
    assert.ok(took >= 7_000 && took <= 8_000, `gave up ${took} ms after end of input`);
    assert.equal(r.summary.sinks.loki?.pending, 1);
  } finally {
    receiver.setDefaultReply(() => ({ status: 204 }));
    await run.close();
  }
});

// ~600 KB of events: far more than the stuck stdout takes.
const flood = makeCorpus(3000, { onlyValid: true });

test('a stdout nobody reads at end of input: exit 75 at shutdown_timeout; what it did not take is dead-lettered', async () => {
  // No receiver: the embedded stdout sink (memory buffer), and a reader that never reads.
  const run = await startPipeline({ args: ['--shutdown-timeout', '3s'], stdout: 'stuck' });
  try {
    run.end(flood.input);
    await run.advanceUntil(() => /end of input: delivering what is left/.test(run.stderr()), 'end of input');
    const endOfInputAt = run.clock.now();
    const r = await run.finish();
    assert.ok(run.clock.now() - endOfInputAt <= 4_000, `ended ${run.clock.now() - endOfInputAt} ms later`);
    assert.equal(r.exitCode, 75, r.stderr);
    assert.match(r.stderr, /shutdown_timeout reached/);
    const stdout = r.summary.sinks.stdout!;
    assert.ok(stdout.pending > 0);
    assert.equal(stdout.delivered + stdout.pending, flood.validLines.length);
    const dead = (await deadLetters(run.deadLetterPath)).filter(
      (d) => d.reason === 'undelivered_at_shutdown',
    );
    assert.equal(dead.length, stdout.pending, 'each event stdout did not take is in the dead-letter file');
    assert.ok(dead.every((d) => d.sink === 'stdout'));
  } finally {
    await run.close();
  }
});

test('a stdout nobody reads and a stop with input still open: exit 75 at shutdown_timeout', async () => {
  const run = await startPipeline({ args: ['--shutdown-timeout', '3s'], stdout: 'stuck' });
  try {
    run.write(flood.input);
    // Everything read, and stdout still owes events: the reader is not reading.
    await run.advanceUntil(
      () => run.pipeline.stats.linesRead === flood.lines.length && run.pipeline.progress()[0]!.pending > 0,
      'everything read, stdout owing events',
    );
    const signalledAt = run.clock.now();
    run.pipeline.stop('SIGTERM');
    const r = await run.finish();
    const took = run.clock.now() - signalledAt;
    assert.ok(took >= 3_000 && took <= 4_000, `stopped ${took} ms after the signal`);
    assert.equal(r.exitCode, 75, r.stderr);
  } finally {
    await run.close();
  }
});

test('--passthrough to a stdout nobody reads, then a stop: ends at shutdown_timeout, Loki has everything read', async () => {
  const before = receiver.entries().length;
  const run = await startPipeline({
    args: ['--passthrough', '--loki', receiver.url, '--shutdown-timeout', '3s'],
    stdout: 'stuck',
  });
  try {
    run.write(flood.input);
    // Passthrough waits for stdout before reading on: reading stalls short of the end.
    await run.advanceUntil(() => run.pipeline.stats.linesRead > 0, 'lines were read');
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(run.pipeline.stats.linesRead < flood.lines.length, 'reading stalled at the stuck stdout');
    const signalledAt = run.clock.now();
    run.pipeline.stop('SIGTERM');
    const r = await run.finish();
    assert.ok(run.clock.now() - signalledAt <= 4_000, 'bounded by shutdown_timeout');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.summary.lines_read < flood.lines.length, 'reading had stopped at the stuck stdout');
    assert.equal(receiver.entries().length - before, r.summary.journaled);
  } finally {
    await run.close();
  }
});
