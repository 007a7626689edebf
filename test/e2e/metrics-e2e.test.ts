/**
 * The operator's endpoints through the built CLI (--metrics-addr 127.0.0.1:0): /healthz, /readyz
 * and /metrics while the process runs, counters that add up to what the receiver got, readiness
 * that fails when a sink is refused as configured, and secrets that never show up in /metrics or
 * in the logs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { makeCorpus, pollUntil, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { captureStderr, get, metricsAddressOf, scrape, sumOf, valueOf } from '../helpers/e2e-metrics.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-metrics-');
});
after(async () => {
  await dir.remove();
});

const VERDICTS = ['not_json', 'not_audit', 'invalid', 'valid'] as const;

test('/healthz, /readyz and /metrics while running: the counters add up to what the receiver got', async () => {
  const corpus = makeCorpus(1_000);
  const receiver = await startLokiReceiver();
  const cli = startCli(
    [
      '--loki',
      receiver.url,
      '--data-dir',
      dir.file('count-data'),
      '--dead-letter',
      dir.file('count-dead.ndjson'),
      '--metrics-addr',
      '127.0.0.1:0',
    ],
    { cwd: dir.path, timeoutMs: 20_000 },
  );
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    assert.match(address, /^127\.0\.0\.1:[1-9]\d*$/, 'port 0 resolved to the bound port');

    const health = await get(address, '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.trim(), 'ok');
    const ready = await get(address, '/readyz');
    assert.equal(ready.status, 200, ready.body);
    assert.deepEqual(JSON.parse(ready.body), { ready: true, reasons: [] });

    // stdin stays open: the process keeps running while the metrics are read.
    cli.child.stdin.write(corpus.input);
    await receiver.waitForEntries(corpus.counts.valid);
    // The receiver stores a push before the CLI has its reply: wait for the CLI to count it.
    const { samples, text } = await pollUntil('the delivered counter to catch up', async () => {
      const m = await scrape(address);
      const delivered = valueOf(m.samples, 'wirety_ship_sink_delivered_total', { sink: 'loki' });
      const lag = valueOf(m.samples, 'wirety_ship_sink_lag_events', { sink: 'loki' });
      return delivered === corpus.counts.valid && lag === 0 ? m : undefined;
    });

    assert.ok(samples.length > 0);
    for (const s of samples) assert.match(s.name, /^wirety_ship_/, `only wirety_ship_* series: ${s.name}`);
    assert.match(text, /^# TYPE wirety_ship_lines_read_total counter$/m);
    assert.match(text, /^# TYPE wirety_ship_sink_request_duration_seconds histogram$/m);

    const linesRead = valueOf(samples, 'wirety_ship_lines_read_total');
    assert.equal(linesRead, corpus.lines.length);
    for (const verdict of VERDICTS) {
      assert.equal(
        valueOf(samples, 'wirety_ship_lines_total', { verdict }),
        corpus.counts[verdict],
        `lines with verdict ${verdict}`,
      );
    }
    assert.equal(
      sumOf(samples, 'wirety_ship_lines_total'),
      linesRead,
      'the four verdicts add up to lines read',
    );
    const valid = valueOf(samples, 'wirety_ship_lines_total', { verdict: 'valid' })!;
    const journaled = valueOf(samples, 'wirety_ship_events_journaled_total')!;
    const droppedFull = valueOf(samples, 'wirety_ship_events_dropped_full_total')!;
    assert.equal(valid, journaled + droppedFull, 'valid = journaled + dropped_full');
    assert.equal(droppedFull, 0);
    assert.equal(
      valueOf(samples, 'wirety_ship_dead_lettered_total'),
      corpus.counts.invalid + corpus.counts.not_json,
      'invalid and not-JSON lines are dead-lettered',
    );

    assert.equal(
      valueOf(samples, 'wirety_ship_sink_delivered_total', { sink: 'loki' }),
      receiver.entries().length,
      'delivered = what the receiver got',
    );
    assert.equal(valueOf(samples, 'wirety_ship_sink_rejected_total', { sink: 'loki' }), 0);
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_requests_total', { sink: 'loki' }),
      receiver.requests.length,
    );
    assert.equal(valueOf(samples, 'wirety_ship_sink_lag_events', { sink: 'loki' }), 0, 'caught up: no lag');
    assert.equal(valueOf(samples, 'wirety_ship_sink_lag_seconds', { sink: 'loki' }), 0, 'caught up: lag 0 s');
    assert.equal(valueOf(samples, 'wirety_ship_sink_in_flight', { sink: 'loki' }), 0);
    assert.equal(valueOf(samples, 'wirety_ship_sink_blocked', { sink: 'loki' }), 0);
    assert.equal(valueOf(samples, 'wirety_ship_journal_full'), 0);

    const observed = valueOf(samples, 'wirety_ship_sink_request_duration_seconds_count', {
      sink: 'loki',
      outcome: '2xx',
    });
    assert.equal(observed, receiver.requests.length, 'one duration observation per request');
    assert.ok(observed >= 1);
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_request_duration_seconds_bucket', {
        sink: 'loki',
        outcome: '2xx',
        le: '+Inf',
      }),
      observed,
    );
    assert.ok(
      valueOf(samples, 'wirety_ship_sink_request_duration_seconds_sum', { sink: 'loki', outcome: '2xx' })! >
        0,
    );
    assert.equal((await get(address, '/readyz')).status, 200, 'still ready after delivering');
    assert.equal((await get(address, '/nope')).status, 404);

    cli.child.stdin.end();
    const r = await cli.result;
    assert.equal(r.code, 0, r.stderr);
    const summary = summaryOf(r.stderr);
    assert.equal(summary.lines_read, linesRead, 'the summary and /metrics agree');
    assert.equal(summary.sinks.loki?.delivered, corpus.counts.valid);
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

test('/readyz turns 503 naming the sink once it has been refused (401) for auth_failure_unready; SIGTERM exits 75', async () => {
  const corpus = makeCorpus(50);
  const receiver = await startLokiReceiver();
  receiver.setDefaultReply(() => ({ status: 401, body: 'unauthorized' }));
  const config = await dir.writeConfig(
    'unready.yaml',
    [
      `buffer: { data_dir: "${dir.file('unready-data')}" }`,
      `dead_letter: { path: "${dir.file('unready-dead.ndjson')}" }`,
      'shutdown_timeout: 1s',
      'metrics: { address: "127.0.0.1:0", auth_failure_unready: 200ms }',
      'sinks:',
      '  audit-loki:',
      '    type: loki',
      `    url: ${receiver.url}`,
      '    batch: { max_wait: 50ms }',
      '',
    ].join('\n'),
  );
  const cli = startCli(['--config', config], { cwd: dir.path, timeoutMs: 20_000 });
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    const first = await get(address, '/readyz');
    assert.equal(first.status, 200, `ready before any refusal: ${first.body}`);

    cli.child.stdin.write(corpus.input);
    await receiver.waitForRequests(1);
    await cli.waitForStderr(/receiver refuses this sink/);
    const unready = await pollUntil('/readyz to answer 503', async () => {
      const answer = await get(address, '/readyz');
      return answer.status === 503 ? answer : undefined;
    });
    const body = JSON.parse(unready.body) as { ready: boolean; reasons: string[] };
    assert.equal(body.ready, false);
    assert.ok(
      body.reasons.some((r) => r.includes('audit-loki') && /401/.test(r)),
      `a reason names the sink and the refusal: ${unready.body}`,
    );
    const { samples } = await scrape(address);
    assert.equal(valueOf(samples, 'wirety_ship_sink_blocked', { sink: 'audit-loki' }), 1);
    assert.equal(valueOf(samples, 'wirety_ship_sink_delivered_total', { sink: 'audit-loki' }), 0);
    assert.equal((await get(address, '/healthz')).status, 200, 'alive even though not ready');

    cli.child.kill('SIGTERM');
    const r = await cli.result;
    assert.equal(r.code, 75, r.stderr);
    const summary = summaryOf(r.stderr);
    assert.equal(summary.journaled, corpus.counts.valid);
    assert.equal(summary.sinks['audit-loki']?.delivered, 0);
    assert.equal(summary.sinks['audit-loki']?.rejected, 0, 'a 401 never dead-letters events');
    assert.equal(summary.sinks['audit-loki']?.pending, corpus.counts.valid, 'the events are kept');
    assert.match(r.stderr, /they stay in the journal/);
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

const SECRET = 'some-unique-secret-7f3a9c';
const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

/** Every form in which the password could leak: itself, and the basic-auth value carrying it. */
function assertNoSecret(text: string, where: string): void {
  assert.ok(!text.includes(SECRET), `${where} contains the password`);
  assert.ok(!text.includes(basic('u', SECRET)), `${where} contains the Authorization value`);
}

async function secretRun(name: string, refusalBody: (authorization: string) => string) {
  const corpus = makeCorpus(40);
  const receiver = await startLokiReceiver();
  let refusals = 2;
  receiver.setDefaultReply((request) => {
    if (refusals-- > 0) return { status: 401, body: refusalBody(String(request.headers.authorization)) };
    return { status: 204 };
  });
  const config = await dir.writeConfig(
    `${name}.yaml`,
    [
      `buffer: { data_dir: "${dir.file(`${name}-data`)}" }`,
      `dead_letter: { path: "${dir.file(`${name}-dead.ndjson`)}" }`,
      'metrics: { address: "127.0.0.1:0" }',
      'log: { level: debug }',
      // Refusals are retried at max_backoff: keep it short so the run recovers quickly.
      'defaults: { retry: { initial_backoff: 20ms, max_backoff: 100ms } }',
      '',
    ].join('\n'),
  );
  const args = ['--config', config, '--loki', receiver.url, '--loki-username', 'u'];
  const env = { WIRETY_SHIP_LOKI_PASSWORD: SECRET };
  const cli = startCli(args, { cwd: dir.path, timeoutMs: 20_000, env });
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    cli.child.stdin.write(corpus.input);
    await receiver.waitForEntries(corpus.counts.valid);
    const metricsText = (await scrape(address)).text;
    const readyText = (await get(address, '/readyz')).body;
    cli.child.stdin.end();
    const r = await cli.result;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /receiver refuses this sink/, 'the refusals were logged');
    assert.match(r.stderr, /delivery recovered/);
    for (const request of receiver.requests)
      assert.equal(request.headers.authorization, `Basic ${basic('u', SECRET)}`, 'the password was used');
    const check = await runCli([...args, '--check-config'], '', { cwd: dir.path, timeoutMs: 10_000, env });
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout.toString(), /\[redacted\]/);
    return { stderr: r.stderr, metricsText, readyText, checkOutput: check.stdout.toString() + check.stderr };
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
}

test('the Loki password never appears in /metrics, /readyz, the logs (debug level) or --check-config', async () => {
  const out = await secretRun('secret', () => 'invalid username or password');
  assertNoSecret(out.stderr, 'stderr');
  assertNoSecret(out.metricsText, '/metrics');
  assertNoSecret(out.readyText, '/readyz');
  assertNoSecret(out.checkOutput, '--check-config');
});

test('the password stays out of the logs even when a receiver echoes the Authorization header in its 401', async () => {
  // Gateways do this: AWS API Gateway's 403 quotes the Authorization header it could not parse.
  // The refusal reason (with the body) is logged on every attempt.
  const out = await secretRun('echo', (authorization) => `invalid credentials: ${authorization}`);
  assertNoSecret(out.stderr, 'stderr');
  assertNoSecret(out.metricsText, '/metrics');
  assertNoSecret(out.readyText, '/readyz');
});
