/**
 * The Splunk HEC sink through the built CLI, against the faithful HEC receiver (token check,
 * concatenated-envelope decoding, channels, indexer acknowledgement):
 * examples/wirety-server.log arrives as one envelope per valid event with the event's time,
 * sourcetype wirety:audit, the original event and its id in `fields`; the token authenticates every
 * request and never reaches stderr; with `--splunk-ack` events count as delivered only once Splunk
 * says they are indexed; with `--splunk-ack` against a token that has ack off,
 * each event is stored once and counted on HEC's 200 with one warning and a metric; an event HEC
 * refuses by `invalid-event-number` is the only one dead-lettered. A wrong token (kept, exit 75,
 * delivered after the fix) and a token file fixed while the sink is blocked are tested on the
 * fake clock in test/pipeline/credentials.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readExampleLog } from '../helpers/example-log.js';
import { startHecReceiver, type HecEnvelope, type HecReceiver } from '../receivers/hec-receiver.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { deadLetters, logLines, pollUntil, summaryOf } from '../helpers/e2e-corpus.js';
import { captureStderr, get, metricsAddressOf, parseMetrics } from '../helpers/e2e-metrics.js';

const TOKEN = '5f1c2d3e-a0b1-4c2d-9e8f-7a6b5c4d3e2f';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let input: Buffer;
let validLines: string[];
let dir: string;
const receivers: HecReceiver[] = [];

before(async () => {
  ({ input, validLines } = await readExampleLog());
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-hec-'));
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

async function receiver(options: Parameters<typeof startHecReceiver>[0]): Promise<HecReceiver> {
  const r = await startHecReceiver(options);
  receivers.push(r);
  return r;
}

const paths = (name: string) => ({
  dataDir: path.join(dir, `${name}-data`),
  deadLetter: path.join(dir, `${name}-dead.ndjson`),
  tokenFile: path.join(dir, `${name}-token`),
  config: path.join(dir, `${name}.yaml`),
});
const baseArgs = (name: string, url: string, extra: string[] = []) => [
  '--splunk-hec',
  url,
  '--data-dir',
  paths(name).dataDir,
  '--dead-letter',
  paths(name).deadLetter,
  ...extra,
];

/**
 * Ack polling every 2 s (the default) would make these tests slow; a file completes the flag
 * sink `splunk` with a short interval (the flags still create it and set token file and ack).
 */
async function fastAckConfig(name: string): Promise<string> {
  await writeFile(
    paths(name).config,
    ['sinks:', '  splunk:', '    type: splunk_hec', '    ack:', '      poll_interval: 150ms', ''].join('\n'),
  );
  return paths(name).config;
}

const journalId = async (name: string) =>
  (JSON.parse(await readFile(path.join(paths(name).dataDir, 'meta.json'), 'utf8')) as { journalId: string })
    .journalId;

/** Envelopes in journal order (their `fields.seq`). */
const bySeq = (events: readonly HecEnvelope[]) =>
  [...events].sort((a, b) => Number(a.fields?.seq) - Number(b.fields?.seq));

/** Each valid event exactly once, as the original object, with its id. */
function assertEachEventOnce(events: readonly HecEnvelope[], id: string): void {
  const sorted = bySeq(events);
  assert.equal(sorted.length, validLines.length, 'one envelope per valid event');
  assert.equal(new Set(sorted.map((e) => e.fields?.event_id)).size, validLines.length, 'no duplicates');
  for (const [i, envelope] of sorted.entries()) {
    assert.deepEqual(envelope.event, JSON.parse(validLines[i]!), `event ${i} is the original object`);
    assert.equal(envelope.fields?.event_id, `${id}-${i + 1}`);
  }
}

test('token from the environment: one envelope per event, event time, sourcetype, original event, event_id', async () => {
  const hec = await receiver({ token: TOKEN });
  const result = await runCli(baseArgs('plain', hec.url), input, {
    cwd: dir,
    env: { WIRETY_SHIP_SPLUNK_TOKEN: TOKEN },
  });
  assert.equal(result.code, 0, result.stderr);

  // The receiver answers code 2/3/4 without exactly this header, so nothing would be stored.
  assert.ok(hec.requests.length >= 1);
  for (const q of hec.requests) {
    assert.equal(q.url, '/services/collector/event');
    assert.equal(q.headers.authorization, `Splunk ${TOKEN}`);
    assert.match(String(q.headers['x-splunk-request-channel']), GUID, 'a channel, ack off too');
    assert.equal(q.headers['content-encoding'], undefined);
  }
  assert.equal(new Set(hec.requests.map((q) => q.headers['x-splunk-request-channel'])).size, 1);
  assert.ok(!result.stderr.includes(TOKEN), 'the token never appears on stderr');
  assert.ok(!result.stderr.includes(TOKEN.slice(0, 13)), 'not even partly');
  assert.ok(!result.stdout.toString().includes(TOKEN));

  const id = await journalId('plain');
  assertEachEventOnce(hec.events, id);
  for (const [i, envelope] of bySeq(hec.events).entries()) {
    const line = validLines[i]!;
    const event = JSON.parse(line) as Record<string, unknown> & { time: number };
    assert.match(envelope.raw, /^\{"time":\d+(\.\d+)?,/, 'time is a plain decimal number');
    assert.equal(envelope.time, event.time, 'time = the event time in seconds');
    assert.equal(envelope.sourcetype, 'wirety:audit');
    assert.equal(envelope.source, 'wirety');
    assert.equal(envelope.host, os.hostname());
    assert.equal(envelope.index, undefined, "the token's default index");
    assert.ok(envelope.raw.includes(`"event":${line},`), 'the line is shipped byte for byte');
    assert.equal(envelope.fields?.seq, String(i + 1));
    for (const field of ['action', 'network_id', 'peer_id', 'actor_id']) {
      if (typeof event[field] === 'string') assert.equal(envelope.fields?.[field], event[field], field);
      else assert.equal(envelope.fields?.[field], undefined, field);
    }
  }
  assert.deepEqual(summaryOf(result.stderr).sinks.splunk, {
    delivered: 45,
    rejected: 0,
    retries: {},
    pending: 0,
  });
});

test('--splunk-token-file --splunk-ack: channel on every request, acks polled until true, each event once, exit 0', async () => {
  const hec = await receiver({ ack: true, token: TOKEN });
  const answers: { ackId: number; poll: number; indexed: boolean }[] = [];
  hec.setAckDecider((ackId, poll) => {
    const indexed = poll >= 3; // "not yet indexed" twice, then indexed
    answers.push({ ackId, poll, indexed });
    return indexed;
  });
  await writeFile(paths('ack').tokenFile, `${TOKEN}\n`);
  const config = await fastAckConfig('ack');
  const cli = startCli(
    baseArgs('ack', hec.url, ['--splunk-token-file', paths('ack').tokenFile, '--splunk-ack']),
    { cwd: dir, env: { WIRETY_SHIP_CONFIG: config } },
  );
  cli.child.stdin.end(input);
  const result = await cli.result;
  assert.equal(result.code, 0, result.stderr);

  // One channel (a GUID) on every event request and every poll; the token from the file on all.
  const channels = new Set(hec.requests.map((q) => q.headers['x-splunk-request-channel']));
  assert.equal(channels.size, 1);
  assert.match(String([...channels][0]), GUID);
  for (const q of hec.requests) assert.equal(q.headers.authorization, `Splunk ${TOKEN}`);
  assert.ok(!result.stderr.includes(TOKEN));

  // Every ackId handed out was polled until Splunk said true; only then did the run end with 0.
  const ackIds = [...new Set(hec.events.map((e) => e.ackId))];
  assert.ok(ackIds.length >= 1 && ackIds.every((a) => typeof a === 'number'));
  for (const ackId of ackIds) {
    const mine = answers.filter((a) => a.ackId === ackId);
    assert.deepEqual(
      mine.map((a) => a.indexed),
      [false, false, true],
      `ackId ${ackId}: polled while false, then confirmed`,
    );
  }
  const lastEventRequest = hec.requests.findLastIndex((q) => q.url === '/services/collector/event');
  assert.ok(
    hec.requests.slice(lastEventRequest).some((q) => q.url === '/services/collector/ack'),
    'polls come after the events',
  );
  assertEachEventOnce(hec.events, await journalId('ack'));
  assert.deepEqual(summaryOf(result.stderr).sinks.splunk, {
    delivered: 45,
    rejected: 0,
    retries: {},
    pending: 0,
  });
});

test("--splunk-ack, token with ack off: each event once, counted on HEC's 200, one warning, a metric, exit 0", async () => {
  const hec = await receiver({ ack: false, token: TOKEN });
  const config = await fastAckConfig('ackoff');
  const cli = startCli(baseArgs('ackoff', hec.url, ['--splunk-ack', '--metrics-addr', '127.0.0.1:0']), {
    cwd: dir,
    env: { WIRETY_SHIP_CONFIG: config, WIRETY_SHIP_SPLUNK_TOKEN: TOKEN },
  });
  const stderr = captureStderr(cli);
  try {
    const address = await metricsAddressOf(cli, stderr);
    cli.child.stdin.write(input); // stdin stays open while the metrics are read
    await hec.waitForEvents(validLines.length);
    // Delivered events are counted right after HEC's reply; read the endpoint until they show.
    const unconfirmed = await pollUntil('unconfirmed events in /metrics', async () => {
      const samples = parseMetrics((await get(address, '/metrics')).body);
      const value = samples.find(
        (x) =>
          x.name === 'wirety_ship_sink_unconfirmed_total' &&
          x.labels.sink === 'splunk' &&
          x.labels.reason === 'ack_off',
      )?.value;
      return value === validLines.length ? value : undefined;
    });
    assert.equal(unconfirmed, validLines.length);
    cli.child.stdin.end();
    const result = await cli.result;
    assert.equal(result.code, 0, stderr());

    assertEachEventOnce(hec.events, await journalId('ackoff'));
    assert.ok(
      hec.requests.every((q) => q.url === '/services/collector/event'),
      'nothing to poll, nothing posted twice',
    );
    const warnings = logLines(stderr()).filter((l) => l.level === 'warn' && l.sink === 'splunk');
    assert.equal(warnings.length, 1, `one warning per process:\n${stderr()}`);
    assert.match(
      String(warnings[0]?.msg),
      /the token has indexer acknowledgement off: events are counted on HEC's 200/,
    );
    assert.deepEqual(summaryOf(stderr()).sinks.splunk, {
      delivered: 45,
      rejected: 0,
      retries: {},
      pending: 0,
    });
  } finally {
    cli.child.kill('SIGKILL');
    await cli.result;
  }
});

test("an event HEC refuses by invalid-event-number is the only one dead-lettered, with HEC's text; the rest once", async () => {
  const hec = await receiver({ token: TOKEN });
  // HEC refuses the 10th valid event's indexed fields; it indexes the events before it in that request.
  const bad = JSON.parse(validLines[9]!) as Record<string, unknown>;
  hec.setEventCheck((e) => (JSON.stringify(e.event) === JSON.stringify(bad) ? 15 : undefined));
  const result = await runCli(baseArgs('partial', hec.url), input, {
    cwd: dir,
    env: { WIRETY_SHIP_SPLUNK_TOKEN: TOKEN },
  });
  assert.equal(result.code, 0, result.stderr);

  const id = await journalId('partial');
  const badId = `${id}-10`;
  const stored = bySeq(hec.events).map((e) => e.fields?.event_id);
  assert.deepEqual(
    stored,
    validLines.map((_, i) => `${id}-${i + 1}`).filter((x) => x !== badId),
    'every other event stored exactly once, in order',
  );
  const dead = (await deadLetters(paths('partial').deadLetter)).filter((d) => d.sink === 'splunk');
  assert.deepEqual(
    dead.map((d) => [d.event_id, d.reason, d.detail, d.line]),
    [[badId, 'rejected', 'HEC code 15: Error in handling indexed fields', validLines[9]]],
  );
  assert.deepEqual(summaryOf(result.stderr).sinks.splunk, {
    delivered: 44,
    rejected: 1,
    retries: { partial: 1 },
    pending: 0,
  });
});
