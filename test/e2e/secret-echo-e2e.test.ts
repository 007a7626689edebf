/**
 * Receivers that echo our credentials, end to end through the built CLI: gateways in front of
 * Loki, Elasticsearch and Splunk HEC quote the credentials they got, decoded and in every encoding
 * (test/helpers/secret-forms.ts), in 401/405/503/400 bodies, in a bulk item error, in the cluster
 * banner of the startup check and in acknowledgement-poll errors. Whatever the CLI logs (at debug
 * level), dead-letters, or serves on /metrics and /readyz must not reveal any secret in any form.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { startCli } from '../helpers/run-cli.js';
import {
  deadLetters,
  logLines,
  makeCorpus,
  pollUntil,
  summaryOf,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { captureStderr, get, metricsAddressOf, scrape } from '../helpers/e2e-metrics.js';
import { echoesOf, revealsSecret } from '../helpers/secret-forms.js';
import { startBulkReceiver } from '../receivers/bulk-receiver.js';
import { startEchoingProxy, type ProxyDecision } from '../receivers/echoing-proxy.js';
import { startHecReceiver } from '../receivers/hec-receiver.js';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import type { ReceivedRequest, ScriptedReply } from '../receivers/scripted-receiver.js';

const LOKI_USER = 'shipper';
const LOKI_PASSWORD = 'Lk9Qv7Wm"pa\\ss/wörd&<x> %+';
const ES_KEY_ID = 'es-key-id';
const ES_KEY = 'Es8Xk3Pq/"k&ey+x';
const ES_API_KEY = Buffer.from(`${ES_KEY_ID}:${ES_KEY}`).toString('base64');
const HEC_TOKEN = 'Hc4Tn8Rw-"t\\ok/&en';

/** Every secret of the run, as [secret, user] for the oracle. */
const SECRETS: readonly (readonly [string, string?])[] = [
  [LOKI_PASSWORD, LOKI_USER],
  [ES_KEY, ES_KEY_ID],
  [ES_API_KEY],
  [HEC_TOKEN],
];
const FORMS = echoesOf(`Bearer x`).length;

function assertNoSecret(text: string, where: string): void {
  for (const [secret, user] of SECRETS) {
    const found = revealsSecret(text, secret, user);
    assert.equal(found, undefined, `${where} shows ${JSON.stringify(secret)} (${found}):\n${text}`);
  }
}

const json = (status: number, body: object): ScriptedReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body,
});

/**
 * For event request k·3+0, k·3+1, k·3+2: a refusal (blocked), a 503 (retried), a 400 (dead-letters
 * the one event of the batch), each quoting echo form k; then `after` decides.
 */
function perForm(
  isEvent: (request: ReceivedRequest) => boolean,
  replies: (echo: string, k: number) => [ScriptedReply, ScriptedReply, ScriptedReply],
  after: (request: ReceivedRequest) => ProxyDecision = () => 'pass',
  other: (request: ReceivedRequest) => ProxyDecision = () => 'pass',
): (request: ReceivedRequest) => ProxyDecision {
  let n = 0;
  return (request) => {
    if (!isEvent(request)) return other(request);
    const i = n++;
    const k = Math.floor(i / 3);
    if (k >= FORMS) return after(request);
    return replies(echoesOf(String(request.headers.authorization))[k]!, k)[i % 3]!;
  };
}

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-echo-');
});
after(async () => {
  await dir.remove();
});

test('secrets echoed by Loki, Elasticsearch and Splunk HEC gateways never reach logs, dead letters, /metrics or /readyz', async () => {
  const corpus = makeCorpus(FORMS + 3, { onlyValid: true });
  const valid = corpus.counts.valid;
  assert.equal(valid, FORMS + 3);
  const loki = await startLokiReceiver();
  const bulk = await startBulkReceiver();
  const hec = await startHecReceiver({ ack: true, token: HEC_TOKEN });

  // Loki: after the forms, it refuses with three echoes until the test has read /readyz.
  let lokiHeld = false;
  let lokiReleased = false;
  const lokiProxy = await startEchoingProxy(
    loki.url,
    perForm(
      () => true,
      (echo) => [
        { status: 401, body: `no valid credentials: ${echo}` },
        { status: 503, body: `upstream connect error: ${echo}` },
        { status: 400, body: `entry rejected: ${echo}` },
      ],
      (request) => {
        if (lokiReleased) return 'pass';
        lokiHeld = true;
        const echoes = echoesOf(String(request.headers.authorization));
        return { status: 401, body: `still refused: ${echoes.slice(0, 3).join('; ')}` };
      },
    ),
  );
  const esError = (status: number, echo: string) =>
    json(status, { error: { type: 'security_exception', reason: echo }, status });
  const esProxy = await startEchoingProxy(
    bulk.url,
    perForm(
      (request) => request.url.includes('_bulk'),
      (echo, k) => [
        esError(405, echo),
        esError(503, echo),
        // Odd forms come back as an item error of a 200 reply, even ones as a refused request.
        k % 2 === 0
          ? esError(400, echo)
          : json(200, {
              took: 1,
              errors: true,
              items: [{ create: { status: 400, error: { type: 'mapper_parsing_exception', reason: echo } } }],
            }),
      ],
      () => 'pass',
      // The startup check's GET /: a banner whose cluster name quotes every form.
      (request) =>
        request.method === 'GET'
          ? json(200, {
              name: 'gateway',
              cluster_name: echoesOf(String(request.headers.authorization)).join(' | '),
              version: { number: '8.15.0' },
              tagline: 'You Know, for Search',
            })
          : 'pass',
    ),
  );
  let polls = 0;
  const hecProxy = await startEchoingProxy(
    hec.url,
    perForm(
      (request) => request.url.startsWith('/services/collector/event'),
      (echo) => [
        json(401, { text: echo, code: 3 }),
        json(503, { text: echo, code: 9 }),
        json(400, { text: echo, code: 6, 'invalid-event-number': 0 }),
      ],
      () => 'pass',
      // The first acknowledgement polls fail, each quoting another form.
      (request) => {
        const k = polls++;
        return k < FORMS
          ? json(503, { text: echoesOf(String(request.headers.authorization))[k]!, code: 9 })
          : 'pass';
      },
    ),
  );

  const tokenFile = dir.file('hec-token');
  await writeFile(tokenFile, `${HEC_TOKEN}\n`);
  const deadLetterFile = dir.file('dead.ndjson');
  const config = await dir.writeConfig(
    'echo.yaml',
    [
      `buffer: { data_dir: "${dir.file('data')}" }`,
      `dead_letter: { path: "${deadLetterFile}" }`,
      'metrics: { address: "127.0.0.1:0", auth_failure_unready: 10ms }',
      'log: { level: debug }',
      'defaults: { batch: { max_events: 1 }, retry: { initial_backoff: 10ms, max_backoff: 50ms } }',
      'sinks:',
      '  splunk: { type: splunk_hec, ack: { poll_interval: 20ms } }',
      '',
    ].join('\n'),
  );
  const cli = startCli(
    [
      '--config',
      config,
      '--loki',
      lokiProxy.url,
      '--loki-username',
      LOKI_USER,
      '--elasticsearch',
      esProxy.url,
      '--splunk-hec',
      hecProxy.url,
      '--splunk-token-file',
      tokenFile,
      '--splunk-ack',
    ],
    {
      cwd: dir.path,
      timeoutMs: 60_000,
      env: { WIRETY_SHIP_LOKI_PASSWORD: LOKI_PASSWORD, WIRETY_SHIP_ES_API_KEY: ES_API_KEY },
    },
  );
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    cli.child.stdin.write(corpus.input);

    // lastError reaches /readyz while Loki refuses: read it there.
    await pollUntil('Loki to be held', () => (lokiHeld ? true : undefined), 30_000);
    const unready = await pollUntil('/readyz to name the refused Loki sink', async () => {
      const answer = await get(address, '/readyz');
      return answer.status === 503 && answer.body.includes('sink loki') ? answer.body : undefined;
    });
    lokiReleased = true;

    await loki.waitForEntries(valid - FORMS, 30_000);
    await hec.waitForEvents(valid - FORMS, 30_000);
    await pollUntil(
      'Elasticsearch to store the rest',
      () => (bulk.documents.size === valid - FORMS ? true : undefined),
      30_000,
    );
    const metricsText = (await scrape(address)).text;
    cli.child.stdin.end();
    const result = await cli.result;
    assert.equal(result.code, 0, result.stderr);

    assertNoSecret(result.stderr, 'stderr');
    assertNoSecret(await readFile(deadLetterFile, 'utf8'), 'the dead-letter file');
    assertNoSecret(metricsText, '/metrics');
    assertNoSecret(unready, '/readyz');

    // The echoes did reach every path that turns receiver text into words (or this proves nothing).
    assert.match(unready, /still refused: .*\[redacted\]/);
    const logs = logLines(result.stderr);
    const refusals = logs.filter((l) => String(l.msg).startsWith('receiver refuses this sink'));
    for (const sink of ['loki', 'elasticsearch', 'splunk']) {
      const mine = refusals.filter((l) => l.sink === sink);
      assert.ok(mine.length >= FORMS, `${sink}: ${mine.length} refusal errors`);
      assert.ok(
        mine.every((l) => String(l.reason).includes('[redacted]')),
        `${sink} refusal reasons quote the echo`,
      );
    }
    const banner = logs.find((l) => String(l.msg).includes('connected to Elasticsearch'));
    assert.match(String(banner?.cluster_name), /\[redacted\]/);
    const pollFailures = logs.filter((l) => String(l.msg).includes('acknowledgement poll failed'));
    assert.ok(pollFailures.length >= 1 && pollFailures.every((l) => String(l.reason).includes('[redacted]')));
    const dead = await deadLetters(deadLetterFile);
    for (const sink of ['loki', 'elasticsearch', 'splunk']) {
      const mine = dead.filter((d) => d.sink === sink);
      assert.equal(mine.length, FORMS, `${sink} dead-lettered one event per echo form`);
      assert.ok(mine.every((d) => d.reason === 'rejected' && String(d.detail).includes('[redacted]')));
    }
    const summary = summaryOf(result.stderr);
    for (const sink of ['loki', 'elasticsearch', 'splunk']) {
      assert.equal(summary.sinks[sink]?.delivered, valid - FORMS, sink);
      assert.equal(summary.sinks[sink]?.rejected, FORMS, sink);
    }
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
    await Promise.all([lokiProxy, esProxy, hecProxy, loki, bulk, hec].map((r) => r.close()));
  }
});
