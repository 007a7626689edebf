/**
 * Fan-out through the built CLI: one journal, one cursor per sink, three real receivers (Loki,
 * Elasticsearch `_bulk`, Splunk HEC). Every receiver gets every valid event of
 * examples/wirety-server.log exactly once; a YAML file with three sinks applies per-sink overrides
 * visibly on the wire, and a typo in one sink's block is a configuration error naming that sink.
 * A dead sink next to healthy ones and a slow sink next to a fast one are tested on the fake
 * clock in test/pipeline/outages.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readExampleLog } from '../helpers/example-log.js';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { splitConcatenatedJson, startHecReceiver, type HecReceiver } from '../receivers/hec-receiver.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { runCli } from '../helpers/run-cli.js';
import { summaryOf } from '../helpers/e2e-corpus.js';

const HEC_TOKEN = '9b8a7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d';
const ES_KEY = 'ZmFub3V0LWUyZTpmYW5vdXQta2V5LXNlY3JldA==';

let input: Buffer;
let validLines: string[];
let dir: string;
const closers: (() => Promise<void>)[] = [];

before(async () => {
  ({ input, validLines } = await readExampleLog());
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-fanout-'));
});
after(async () => {
  await Promise.all(closers.map((close) => close()));
  await rm(dir, { recursive: true, force: true });
});

interface Receivers {
  readonly loki: LokiReceiver;
  readonly es: BulkReceiver;
  readonly hec: HecReceiver;
}

async function startReceivers(): Promise<Receivers> {
  const [loki, es, hec] = await Promise.all([
    startLokiReceiver(),
    startBulkReceiver({ authorization: `ApiKey ${ES_KEY}` }),
    startHecReceiver({ token: HEC_TOKEN }),
  ]);
  closers.push(
    () => loki.close(),
    () => es.close(),
    () => hec.close(),
  );
  return { loki, es, hec };
}

const paths = (name: string) => ({
  dataDir: path.join(dir, `${name}-data`),
  deadLetter: path.join(dir, `${name}-dead.ndjson`),
  config: path.join(dir, `${name}.yaml`),
});
const flagArgs = (name: string, r: Receivers, extra: string[] = []) => [
  '--loki',
  r.loki.url,
  '--elasticsearch',
  r.es.url,
  '--splunk-hec',
  r.hec.url,
  '--data-dir',
  paths(name).dataDir,
  '--dead-letter',
  paths(name).deadLetter,
  ...extra,
];
const secrets = { WIRETY_SHIP_SPLUNK_TOKEN: HEC_TOKEN, WIRETY_SHIP_ES_API_KEY: ES_KEY };

const sortedLines = (lines: readonly string[]) => [...lines].sort();

/** Every valid line exactly once at each receiver, all three under the same event ids. */
function assertEveryReceiverHasEachEventOnce(r: Receivers): void {
  const lokiEntries = r.loki.entries();
  assert.deepEqual(sortedLines(lokiEntries.map((e) => e.line)), sortedLines(validLines), 'Loki: each once');

  const docs = [...r.es.documents.values()];
  assert.equal(docs.length, validLines.length, 'Elasticsearch: each once');
  for (const [, count] of r.es.sendCounts()) assert.equal(count, 1, 'Elasticsearch: each sent once');
  const docLines = docs.map((d) => {
    const { '@timestamp': _ts, wirety_ship: _meta, ...original } = d;
    return original;
  });
  assert.deepEqual(
    docLines.map((d) => JSON.stringify(d)).sort(),
    validLines.map((l) => JSON.stringify(JSON.parse(l))).sort(),
    'Elasticsearch: the original events',
  );

  assert.deepEqual(
    sortedLines(r.hec.events.map((e) => JSON.stringify(e.event))),
    sortedLines(validLines.map((l) => JSON.stringify(JSON.parse(l)))),
    'Splunk: each once',
  );

  const lokiIds = lokiEntries.map((e) => e.metadata.event_id).sort();
  const esIds = [...r.es.sendCounts().keys()].sort();
  const hecIds = r.hec.events.map((e) => String(e.fields?.event_id)).sort();
  assert.equal(new Set(lokiIds).size, validLines.length);
  assert.deepEqual(esIds, lokiIds, 'one event id per event, the same at every sink');
  assert.deepEqual(hecIds, lokiIds, 'one event id per event, the same at every sink');
}

test('--loki --elasticsearch --splunk-hec: each receiver gets every valid event exactly once', async () => {
  const r = await startReceivers();
  const result = await runCli(flagArgs('all', r), input, { cwd: dir, env: secrets });
  assert.equal(result.code, 0, result.stderr);
  assertEveryReceiverHasEachEventOnce(r);
  const { sinks } = summaryOf(result.stderr);
  for (const name of ['loki', 'elasticsearch', 'splunk']) {
    assert.deepEqual(
      { delivered: sinks[name]?.delivered, rejected: sinks[name]?.rejected, pending: sinks[name]?.pending },
      { delivered: 45, rejected: 0, pending: 0 },
      name,
    );
  }
  assert.ok(!result.stderr.includes(HEC_TOKEN) && !result.stderr.includes(ES_KEY), 'no secret on stderr');
});

test('config file with three sinks: per-sink overrides of batch.max_events and gzip are visible on the wire', async () => {
  const r = await startReceivers();
  const yaml = [
    'buffer:',
    `  data_dir: ${JSON.stringify(paths('file').dataDir)}`,
    'dead_letter:',
    `  path: ${JSON.stringify(paths('file').deadLetter)}`,
    'defaults:',
    '  gzip: true',
    '  batch:',
    '    max_events: 20',
    'sinks:',
    '  logs:',
    '    type: loki',
    '    url: ${LOKI_URL}',
    '    batch:',
    '      max_events: 5 # override: smaller Loki requests',
    '  archive:',
    '    type: elasticsearch',
    '    url: ${ES_URL}',
    '    auth:',
    '      api_key: ${ES_KEY}',
    '  siem:',
    '    type: splunk_hec',
    '    url: ${SPLUNK_URL}',
    '    token: ${SPLUNK_TOKEN}',
    '    gzip: false # override: plain bodies for this one',
    '',
  ].join('\n');
  await writeFile(paths('file').config, yaml);
  const env = {
    LOKI_URL: r.loki.url,
    ES_URL: r.es.url,
    ES_KEY,
    SPLUNK_URL: r.hec.url,
    SPLUNK_TOKEN: HEC_TOKEN,
  };
  const result = await runCli(['--config', paths('file').config], input, { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);
  assertEveryReceiverHasEachEventOnce(r);

  const { sinks } = summaryOf(result.stderr);
  assert.deepEqual(Object.keys(sinks).sort(), ['archive', 'logs', 'siem']);
  for (const s of Object.values(sinks)) assert.equal(s.delivered, 45);

  // logs: its own max_events (5) and the default gzip.
  const pushSizes = r.loki.pushes.map((p) => p.streams.reduce((n, s) => n + s.entries.length, 0));
  assert.ok(Math.max(...pushSizes) <= 5, `Loki pushes of at most 5 entries: ${pushSizes.join()}`);
  assert.ok(pushSizes.length >= 9);
  for (const q of r.loki.requests) assert.equal(q.headers['content-encoding'], 'gzip');

  // archive: the defaults (20 events, gzip).
  const bulkSizes = r.es.bulkRequests.map((b) => b.items.length);
  assert.ok(Math.max(...bulkSizes) <= 20, `bulk sizes ${bulkSizes.join()}`);
  assert.ok(Math.max(...bulkSizes) > 5, 'the Loki override does not leak to other sinks');
  assert.ok(bulkSizes.length >= 3);
  for (const q of r.es.requests.filter((q) => q.url.startsWith('/_bulk'))) {
    assert.equal(q.headers['content-encoding'], 'gzip');
    assert.ok(q.rawBody.length < q.body.length);
  }

  // siem: the default batch size, its own gzip: false.
  const hecSizes = r.hec.requests.map((q) => {
    const parts = splitConcatenatedJson(q.body.toString('utf8'));
    return Array.isArray(parts) ? parts.length : -1;
  });
  assert.ok(Math.max(...hecSizes) <= 20 && Math.max(...hecSizes) > 5, `HEC sizes ${hecSizes.join()}`);
  for (const q of r.hec.requests) {
    assert.equal(q.headers['content-encoding'], undefined, 'siem overrides gzip');
    assert.deepEqual(q.rawBody, q.body);
  }
});

test('config file: a typo in one sink’s block is a configuration error (78) naming that sink', async () => {
  const r = await startReceivers();
  const yaml = [
    'sinks:',
    '  logs:',
    '    type: loki',
    `    url: ${r.loki.url}`,
    '  archive:',
    '    type: elasticsearch',
    `    url: ${r.es.url}`,
    '    indx: wirety-%Y', // typo of "index"
    '  siem:',
    '    type: splunk_hec',
    `    url: ${r.hec.url}`,
    '    token: ${SPLUNK_TOKEN}',
    '',
  ].join('\n');
  await writeFile(paths('typo').config, yaml);
  const result = await runCli(
    [
      '--config',
      paths('typo').config,
      '--data-dir',
      paths('typo').dataDir,
      '--dead-letter',
      paths('typo').deadLetter,
    ],
    input,
    { cwd: dir, env: { SPLUNK_TOKEN: HEC_TOKEN } },
  );
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /configuration error/);
  assert.match(result.stderr, /typo\.yaml:8/, 'the file and line');
  assert.match(result.stderr, /sinks\.archive\.indx: unknown key; did you mean "index"\?/);
  assert.doesNotMatch(result.stderr, /sinks\.(logs|siem)\b/, 'only the sink with the typo is named');
  assert.ok(!result.stderr.includes(HEC_TOKEN));
  assert.equal(r.loki.requests.length + r.es.requests.length + r.hec.requests.length, 0, 'nothing sent');
});
