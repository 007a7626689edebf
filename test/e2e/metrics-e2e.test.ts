/**
 * The operator's endpoints through the built CLI (--metrics-addr 127.0.0.1:0): /healthz, /readyz
 * and /metrics while the process runs, counters that add up to what the receiver got, every
 * labelled series there from the start, the alert rules of docs/metrics.md checked against what is
 * really exported, and secrets that never show up in /metrics or in the logs. Readiness that fails
 * when a sink is refused for auth_failure_unready is tested on the fake clock in
 * test/observe/metrics-pipeline.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeLokiPush, startLokiReceiver } from '../receivers/loki-receiver.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { metricNamesIn, ruleGroupsIn } from '../helpers/alert-rules.js';
import {
  deadLetters,
  makeCorpus,
  pollUntil,
  summaryOf,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import {
  captureStderr,
  get,
  metricsAddressOf,
  scrape,
  sumOf,
  valueOf,
  type Sample,
} from '../helpers/e2e-metrics.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-metrics-');
});
after(async () => {
  await dir.remove();
});

const VERDICTS = ['not_json', 'empty', 'not_audit', 'invalid', 'valid'] as const;
// The label values docs/metrics.md promises.
const DEAD_LETTER_REASONS = [
  'not_json',
  'invalid',
  'line_too_long',
  'invalid_utf8',
  'too_deep',
  'unknown_action',
  'rejected',
  'encode_failed',
  'undelivered_at_shutdown',
];
const RETRY_REASONS = [
  'rate_limited',
  'server_error',
  'network',
  'timeout',
  'blocked',
  'partial',
  'ack_timeout',
  'split',
  'bisect',
];
const REJECT_REASONS = ['refused', 'too_large'];
const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'network_error', 'timeout'];
const readDoc = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** Exported names: sample names (histogram _bucket/_sum/_count included) and families. */
function exportedNames(text: string, samples: readonly Sample[]): Set<string> {
  const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  return new Set([...samples.map((s) => s.name), ...families]);
}

test('at start, before any input: build info, process metrics, and every labelled series at 0', async () => {
  const receiver = await startLokiReceiver();
  const cli = startCli(
    [
      '--loki',
      receiver.url,
      '--data-dir',
      dir.file('zero-data'),
      '--dead-letter',
      dir.file('zero-dead.ndjson'),
      '--metrics-addr',
      '127.0.0.1:0',
    ],
    { cwd: dir.path, timeoutMs: 20_000 },
  );
  const stderr = captureStderr(cli);
  try {
    const { samples, text } = await scrape(await metricsAddressOf(cli, stderr));
    const { version } = JSON.parse(readDoc('package.json')) as { version: string };
    assert.equal(valueOf(samples, 'wirety_ship_build_info', { version, node: process.version }), 1);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'process_open_fds'])
      assert.ok(valueOf(samples, name)! > 0, `${name} is exported`);
    const started = valueOf(samples, 'process_start_time_seconds')!;
    assert.ok(Math.abs(started - Date.now() / 1000) < 60, `process_start_time_seconds ${started} is now`);

    const zero = (name: string, labels: Record<string, string> = {}) =>
      assert.equal(valueOf(samples, name, labels), 0, `${name} ${JSON.stringify(labels)} is there, at 0`);
    for (const name of [
      'wirety_ship_lines_read_total',
      'wirety_ship_input_bytes_total',
      'wirety_ship_journaled_total',
      'wirety_ship_dropped_full_total',
      'wirety_ship_unjournaled_total',
      'wirety_ship_unknown_actions_total',
      'wirety_ship_dead_letter_failed_total',
    ])
      zero(name);
    for (const verdict of VERDICTS) zero('wirety_ship_lines_total', { verdict });
    for (const reason of DEAD_LETTER_REASONS) zero('wirety_ship_dead_lettered_total', { reason });
    const sink = 'loki';
    for (const name of ['delivered', 'encode_failed', 'values_omitted', 'sent_bytes'])
      zero(`wirety_ship_sink_${name}_total`, { sink });
    for (const reason of REJECT_REASONS) zero('wirety_ship_sink_rejected_total', { sink, reason });
    for (const reason of RETRY_REASONS) zero('wirety_ship_sink_retries_total', { sink, reason });
    for (const reason of ['ack_off', 'ack_poll_refused', 'non_hec_reply'])
      zero('wirety_ship_sink_unconfirmed_total', { sink, reason });
    zero('wirety_ship_sink_encode_failed_total', { sink });
    zero('wirety_ship_sink_values_omitted_total', { sink });
    zero('wirety_ship_sink_abandoned_total', { sink });
    for (const statusClass of STATUS_CLASSES) {
      zero('wirety_ship_sink_requests_total', { sink, status_class: statusClass });
      zero('wirety_ship_sink_request_duration_seconds_count', { sink, status_class: statusClass });
    }
    zero('wirety_ship_sink_pending', { sink });
    zero('wirety_ship_sink_blocked', { sink });
    assert.equal(
      valueOf(samples, 'wirety_ship_journal_max_bytes'),
      1024 ** 3,
      'the default buffer.max_bytes',
    );

    // The docs name only what is exported, and document everything wirety-ship exports.
    const exported = exportedNames(text, samples);
    const metricsDoc = readDoc('docs/metrics.md');
    const families = [...text.matchAll(/^# TYPE (wirety_ship_\w+) /gm)].map((m) => m[1]!);
    for (const family of families)
      assert.ok(metricsDoc.includes(`\`${family}\``), `docs/metrics.md documents ${family}`);
    // Every name in docs/metrics.md, and every name in backticks in the README (its JSON examples
    // hold an Elasticsearch role called wirety_ship_writer). Whole names only: `wirety_ship_` (the
    // prefix) and `wirety_ship_sink_<key>_total` are patterns.
    for (const [file, names] of [
      ['docs/metrics.md', metricsDoc.matchAll(/\b(wirety_ship_[a-z_]*)(?![a-z_])/g)],
      ['README.md', readDoc('README.md').matchAll(/`(wirety_ship_[a-z_]*)(?![a-z_])/g)],
    ] as const) {
      for (const [, name] of names)
        assert.ok(
          exported.has(name!) || name!.endsWith('_'),
          `${file} names ${name}, which /metrics exports`,
        );
    }
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

test('the alert rules in docs/metrics.md parse, and every expression names only exported metrics', async () => {
  const groups = ruleGroupsIn(readDoc('docs/metrics.md'));
  assert.ok(groups.length > 0, 'docs/metrics.md has a rule group');
  const receiver = await startLokiReceiver();
  const cli = startCli(
    ['--loki', receiver.url, '--data-dir', dir.file('rules-data'), '--metrics-addr', '127.0.0.1:0'],
    { cwd: dir.path, timeoutMs: 20_000 },
  );
  const stderr = captureStderr(cli);
  try {
    const { samples, text } = await scrape(await metricsAddressOf(cli, stderr));
    const exported = exportedNames(text, samples);
    const used = new Set<string>();
    for (const group of groups) {
      assert.equal(typeof group.name, 'string');
      assert.ok(group.rules.length > 0);
      for (const rule of group.rules) {
        assert.match(rule.alert, /^[A-Z][A-Za-z]+$/, 'an alert name');
        assert.equal(typeof rule.expr, 'string', `${rule.alert} has an expr`);
        if (rule.for !== undefined) assert.match(rule.for, /^\d+[smhd]$/, `${rule.alert}: for`);
        assert.match(rule.labels?.severity ?? '', /^(warning|critical)$/, `${rule.alert}: severity`);
        assert.ok(rule.annotations?.summary, `${rule.alert}: a summary`);
        const names = metricNamesIn(rule.expr);
        assert.ok(names.length > 0, `${rule.alert} uses a metric`);
        for (const name of names) {
          assert.ok(exported.has(name), `${rule.alert}: ${name} is exported by /metrics`);
          used.add(name);
        }
      }
    }
    for (const needed of [
      'wirety_ship_sink_lag_seconds',
      'wirety_ship_sink_blocked',
      'wirety_ship_journal_full',
      'wirety_ship_sink_rejected_total',
    ])
      assert.ok(used.has(needed), `an alert on ${needed}`);
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

test('bytes in and out, rejections by reason, requests by status class, the empty bucket: all as they happened', async () => {
  const corpus = makeCorpus(60);
  const input = corpus.input + '\n   \n'; // an empty and a whitespace-only line
  const receiver = await startLokiReceiver();
  const statuses: number[] = [];
  const expected = { delivered: 0, too_large: 0, refused: 0 };
  for (const line of corpus.validLines) {
    if (line.includes('"srv-peer-')) expected.too_large++;
    else if (Number(/"peer-(\d+)"/.exec(line)![1]) % 3 === 0) expected.refused++;
    else expected.delivered++;
  }
  // Over one entry: 413 (split). Alone: a server event is still too large (413), an agent event
  // whose number is a multiple of 3 is refused (422), the others are stored.
  receiver.setDefaultReply((request) => {
    const entries = decodeLokiPush(request.body).flatMap((s) => s.entries);
    const line = entries[0]!.line;
    const status =
      entries.length > 1 || line.includes('"srv-peer-')
        ? 413
        : Number(/"peer-(\d+)"/.exec(line)![1]) % 3 === 0
          ? 422
          : 204;
    statuses.push(status);
    return { status, body: status === 204 ? '' : 'refused\n' };
  });
  const deadFile = dir.file('reasons-dead.ndjson');
  const cli = startCli(
    [
      '--loki',
      receiver.url,
      '--data-dir',
      dir.file('reasons-data'),
      '--dead-letter',
      deadFile,
      '--metrics-addr',
      '127.0.0.1:0',
    ],
    { cwd: dir.path, timeoutMs: 30_000 },
  );
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    cli.child.stdin.write(input);
    const { samples } = await pollUntil(
      'every event to be final for the sink',
      async () => {
        const m = await scrape(address);
        const final =
          valueOf(m.samples, 'wirety_ship_sink_delivered_total', { sink: 'loki' })! +
          sumOf(m.samples, 'wirety_ship_sink_rejected_total', { sink: 'loki' });
        return final === corpus.counts.valid ? m : undefined;
      },
      15_000,
    );
    assert.ok(expected.too_large > 0 && expected.refused > 0 && expected.delivered > 0, 'all three happen');
    assert.equal(valueOf(samples, 'wirety_ship_sink_delivered_total', { sink: 'loki' }), expected.delivered);
    for (const reason of REJECT_REASONS) {
      assert.equal(
        valueOf(samples, 'wirety_ship_sink_rejected_total', { sink: 'loki', reason }),
        expected[reason as 'refused' | 'too_large'],
        `rejected as ${reason}`,
      );
    }
    const deadByReason = (reason: string) => valueOf(samples, 'wirety_ship_dead_lettered_total', { reason });
    assert.equal(deadByReason('rejected'), expected.refused + expected.too_large);
    assert.equal(deadByReason('invalid'), corpus.counts.invalid);
    assert.equal(deadByReason('not_json'), corpus.counts.not_json);
    assert.equal(valueOf(samples, 'wirety_ship_lines_total', { verdict: 'empty' }), 2);
    assert.equal(
      sumOf(samples, 'wirety_ship_lines_total'),
      valueOf(samples, 'wirety_ship_lines_read_total'),
      'the buckets add up, empty included',
    );

    const count = (test: (status: number) => boolean) => statuses.filter(test).length;
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_requests_total', { sink: 'loki', status_class: '2xx' }),
      count((s) => s === 204),
    );
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_requests_total', { sink: 'loki', status_class: '4xx' }),
      count((s) => s >= 400),
    );
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_requests_total', { sink: 'loki', status_class: '5xx' }),
      0,
    );
    assert.equal(valueOf(samples, 'wirety_ship_input_bytes_total'), Buffer.byteLength(input), 'bytes in');
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_sent_bytes_total', { sink: 'loki' }),
      receiver.requests.reduce((n, r) => n + r.rawBody.length, 0),
      'bytes out: every request body the receiver got',
    );

    cli.child.stdin.end();
    const r = await cli.result;
    assert.equal(r.code, 0, r.stderr);
    const summary = summaryOf(r.stderr) as unknown as Record<string, number>;
    assert.equal(summary.empty, 2);
    // Records of input lines point at their line; records of refused events come from the journal.
    const lines = input.split('\n');
    for (const d of await deadLetters(deadFile)) {
      if (d.reason === 'rejected') continue;
      assert.equal(lines[(d.line_number as number) - 1], d.line, 'line_number finds the line');
      assert.equal(
        Buffer.from(input)
          .subarray(d.byte_offset as number)
          .toString()
          .split('\n')[0],
        d.line,
        'byte_offset finds the line',
      );
    }
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

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
      const lag = valueOf(m.samples, 'wirety_ship_sink_pending', { sink: 'loki' });
      return delivered === corpus.counts.valid && lag === 0 ? m : undefined;
    });

    assert.ok(samples.length > 0);
    for (const s of samples)
      assert.match(
        s.name,
        /^(wirety_ship|process|nodejs)_/,
        `own, process and runtime series only: ${s.name}`,
      );
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
      'the five verdicts add up to lines read',
    );
    const valid = valueOf(samples, 'wirety_ship_lines_total', { verdict: 'valid' })!;
    const journaled = valueOf(samples, 'wirety_ship_journaled_total')!;
    const droppedFull = valueOf(samples, 'wirety_ship_dropped_full_total')!;
    assert.equal(valid, journaled + droppedFull, 'valid = journaled + dropped_full');
    assert.equal(droppedFull, 0);
    assert.equal(
      sumOf(samples, 'wirety_ship_dead_lettered_total'),
      corpus.counts.invalid + corpus.counts.not_json,
      'invalid and not-JSON lines are dead-lettered',
    );

    assert.equal(
      valueOf(samples, 'wirety_ship_sink_delivered_total', { sink: 'loki' }),
      receiver.entries().length,
      'delivered = what the receiver got',
    );
    assert.equal(sumOf(samples, 'wirety_ship_sink_rejected_total', { sink: 'loki' }), 0);
    assert.equal(
      sumOf(samples, 'wirety_ship_sink_requests_total', { sink: 'loki' }),
      receiver.requests.length,
    );
    assert.equal(valueOf(samples, 'wirety_ship_sink_pending', { sink: 'loki' }), 0, 'caught up: no lag');
    assert.equal(valueOf(samples, 'wirety_ship_sink_lag_seconds', { sink: 'loki' }), 0, 'caught up: lag 0 s');
    assert.equal(valueOf(samples, 'wirety_ship_sink_in_flight', { sink: 'loki' }), 0);
    assert.equal(valueOf(samples, 'wirety_ship_sink_blocked', { sink: 'loki' }), 0);
    assert.equal(valueOf(samples, 'wirety_ship_journal_full'), 0);

    const observed = valueOf(samples, 'wirety_ship_sink_request_duration_seconds_count', {
      sink: 'loki',
      status_class: '2xx',
    });
    assert.equal(observed, receiver.requests.length, 'one duration observation per request');
    assert.ok(observed >= 1);
    assert.equal(
      valueOf(samples, 'wirety_ship_sink_request_duration_seconds_bucket', {
        sink: 'loki',
        status_class: '2xx',
        le: '+Inf',
      }),
      observed,
    );
    assert.ok(
      valueOf(samples, 'wirety_ship_sink_request_duration_seconds_sum', {
        sink: 'loki',
        status_class: '2xx',
      })! > 0,
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
