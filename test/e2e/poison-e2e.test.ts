/**
 * One poisoned event through the built CLI and all three real receivers (issue 14, item 1): a line
 * nested 10,000 deep once made every encoder's JSON.stringify overflow the stack, the process exit
 * 70, and every restart crash on the same journaled record, so no sink ever delivered again.
 *
 * Now: the line is refused at input (too_deep); and a journal that already holds such a record (as
 * an older version left it) is drained on restart: Loki and Splunk ship it without the value they
 * cannot index (counted), Elasticsearch, which cannot build its document, dead-letters it as
 * encode_failed, every other event reaches every receiver once, and the next start is quiet.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AcceptedEvent, AuditEvent } from '../../src/audit/record.js';
import { systemClock } from '../../src/clock.js';
import { createDiskJournal } from '../../src/journal/disk/disk-journal.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { readExampleLog } from '../helpers/example-log.js';
import { deadLetters, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { nestedArrays } from '../helpers/records.js';
import { runCli } from '../helpers/run-cli.js';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { startHecReceiver, type HecReceiver } from '../receivers/hec-receiver.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';

const HEC_TOKEN = '0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f';
const SINKS = ['loki', 'elasticsearch', 'splunk'] as const;

/** The reproduction: auth.login whose peer_id is `[[[[…]]]]` 10,000 deep (with a \u escape, so
 * Elasticsearch cannot splice the line and must serialise a copy). */
const DEEP_LINE = `{"level":"info","log_type":"audit","time":1748000000,"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"auth.login","peer_name":"R\\u0026D","peer_id":${nestedArrays(10_000)},"message":"audit"}`;

let dir: TempDir;
let input: Buffer;
let validLines: string[];
const closers: (() => Promise<void>)[] = [];

before(async () => {
  dir = await tempDir('ws-e2e-poison-');
  ({ input, validLines } = await readExampleLog());
});
after(async () => {
  await Promise.all(closers.map((close) => close()));
  await dir.remove();
});

interface Receivers {
  readonly loki: LokiReceiver;
  readonly es: BulkReceiver;
  readonly hec: HecReceiver;
}

async function startReceivers(): Promise<Receivers> {
  const [loki, es, hec] = await Promise.all([
    startLokiReceiver(),
    startBulkReceiver(),
    startHecReceiver({ token: HEC_TOKEN }),
  ]);
  closers.push(
    () => loki.close(),
    () => es.close(),
    () => hec.close(),
  );
  return { loki, es, hec };
}

const args = (name: string, r: Receivers) => [
  '--loki',
  r.loki.url,
  '--elasticsearch',
  r.es.url,
  '--splunk-hec',
  r.hec.url,
  '--data-dir',
  dir.file(`${name}-data`),
  '--dead-letter',
  dir.file(`${name}-dead.ndjson`),
  '--shutdown-timeout',
  '5s',
];
const env = { WIRETY_SHIP_SPLUNK_TOKEN: HEC_TOKEN };

/** Lines each receiver got, in arrival order (compared as text: the deep line is never re-serialised). */
function receivedLines(r: Receivers): Record<(typeof SINKS)[number], string[]> {
  return {
    loki: r.loki.entries().map((e) => e.line),
    elasticsearch: [...r.es.documents.values()].map((d) => {
      const { '@timestamp': _t, wirety_ship: _w, ...original } = d;
      return JSON.stringify(original);
    }),
    splunk: r.hec.events.map((e) =>
      e.raw.slice(e.raw.indexOf('"event":') + 8, e.raw.lastIndexOf(',"fields"')),
    ),
  };
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const asDocument = (line: string) => JSON.stringify(JSON.parse(line));

test('a line nested 10,000 deep among the example log: dead-lettered as too_deep, every sink delivers the rest, exit 0', async () => {
  const r = await startReceivers();
  const lines = input.toString('utf8').split('\n');
  lines.splice(10, 0, DEEP_LINE);
  const result = await runCli(args('ingest', r), lines.join('\n'), { cwd: dir.path, env, timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr); // before: 70, "RangeError: Maximum call stack size exceeded"

  const got = receivedLines(r);
  assert.deepEqual(sorted(got.loki), sorted(validLines), 'Loki: each valid line once');
  assert.deepEqual(sorted(got.splunk), sorted(validLines), 'Splunk: each valid line once');
  assert.deepEqual(sorted(got.elasticsearch), sorted(validLines.map(asDocument)), 'Elasticsearch: each once');

  const dead = await deadLetters(dir.file('ingest-dead.ndjson'));
  const deep = dead.filter((d) => d.reason === 'too_deep');
  assert.equal(deep.length, 1);
  assert.equal(deep[0]!.line, DEEP_LINE, 'the exact line is kept');
  assert.match(String(deep[0]!.detail), /^\/peer_id: nests objects\/arrays more than 64 levels deep/);
  const summary = summaryOf(result.stderr);
  for (const sink of SINKS)
    assert.deepEqual(summary.sinks[sink], { delivered: 45, rejected: 0, retries: {}, pending: 0 });
});

test('a journal already holding the deep record (an older version’s): the restart delivers everything else, never crashes, and the next start is quiet', async () => {
  const r = await startReceivers();
  const dataDir = dir.file('restart-data');
  // The state the issue describes: the record was journaled before input.max_depth existed.
  const journal = await createDiskJournal({
    dir: dataDir,
    sinkNames: SINKS,
    fsync: 'always',
    fsyncIntervalMs: 1000,
    maxBytes: 1 << 30,
    segmentBytes: 64 << 20,
    whenFull: 'block',
    newSinkStart: 'head',
    clock: systemClock,
    logger: createMemoryLogger(),
  });
  const journaled = [...validLines.slice(0, 20), DEEP_LINE, ...validLines.slice(20)];
  const accepted: AcceptedEvent[] = journaled.map((line) => ({
    line,
    bytes: Buffer.byteLength(line),
    event: JSON.parse(line) as AuditEvent,
    source: line.includes('"actor_type":"agent"') ? 'agent' : 'server',
    receivedAtMs: 1_748_000_000_000,
  }));
  await journal.append(accepted);
  await journal.close();

  const first = await runCli(args('restart', r), '', { cwd: dir.path, env, timeoutMs: 60_000 });
  assert.equal(first.code, 0, first.stderr); // before: 70 on this start and on every later one

  const got = receivedLines(r);
  assert.deepEqual(sorted(got.loki), sorted(journaled), 'Loki: every record, the deep one included');
  assert.deepEqual(sorted(got.splunk), sorted(journaled), 'Splunk: every record, the deep one included');
  assert.deepEqual(
    sorted(got.elasticsearch),
    sorted(validLines.map(asDocument)),
    'Elasticsearch: all but the deep one',
  );

  const lokiDeep = r.loki.entries().find((e) => e.line === DEEP_LINE)!;
  assert.equal(lokiDeep.metadata.peer_id, undefined, 'the unindexable value left out of Loki metadata');
  assert.equal(lokiDeep.metadata.actor_id, 'alice');
  const hecDeep = r.hec.events.find((e) => e.raw.includes(DEEP_LINE))!;
  assert.equal(hecDeep.fields?.peer_id, undefined, 'and out of HEC indexed fields');
  assert.equal(hecDeep.fields?.actor_id, 'alice');

  const dead = await deadLetters(dir.file('restart-dead.ndjson'));
  assert.deepEqual(
    dead.map((d) => [d.reason, d.sink, d.seq, d.detail, d.line]),
    [['encode_failed', 'elasticsearch', 21, 'RangeError: Maximum call stack size exceeded', DEEP_LINE]],
  );
  const summary = summaryOf(first.stderr);
  assert.deepEqual(summary.sinks.elasticsearch, {
    delivered: 45,
    rejected: 0,
    encode_failed: 1,
    retries: {},
    pending: 0,
  });
  assert.deepEqual(summary.sinks.loki, {
    delivered: 46,
    rejected: 0,
    values_omitted: 1,
    retries: {},
    pending: 0,
  });
  assert.deepEqual(summary.sinks.splunk, {
    delivered: 46,
    rejected: 0,
    values_omitted: 1,
    retries: {},
    pending: 0,
  });
  assert.equal(summary.dead_lettered, 1);

  const sent = () => ({
    loki: r.loki.requests.length,
    bulk: r.es.bulkRequests.length,
    hec: r.hec.requests.length,
  });
  const sentBefore = sent();
  const second = await runCli(args('restart', r), '', { cwd: dir.path, env, timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(sent(), sentBefore, 'nothing is sent again');
  assert.equal((await deadLetters(dir.file('restart-dead.ndjson'))).length, 1, 'nothing dead-lettered again');
  for (const sink of SINKS) assert.equal(summaryOf(second.stderr).sinks[sink]?.pending, 0);
});

test('input.max_depth from the config file decides what is too deep', async () => {
  const config = await dir.writeConfig(
    'depth.yaml',
    `input:\n  max_depth: 2\ndead_letter:\n  path: ${JSON.stringify(dir.file('depth-dead.ndjson'))}\nbuffer:\n  data_dir: ${JSON.stringify(dir.file('depth-data'))}\n`,
  );
  const line = (extra: string) =>
    `{"level":"info","log_type":"audit","time":1748000000,"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"auth.login","extra":${extra},"message":"audit"}`;
  const result = await runCli(['--config', config], `${line('{"a":1}')}\n${line('{"a":[1]}')}\n`, {
    cwd: dir.path,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString(), `${line('{"a":1}')}\n`, 'two levels pass (stdout sink)');
  const dead = await deadLetters(dir.file('depth-dead.ndjson'));
  assert.deepEqual(
    dead.map((d) => [d.reason, d.detail, d.line]),
    [
      [
        'too_deep',
        '/extra: nests objects/arrays more than 2 levels deep (input.max_depth); audit events are flat',
        line('{"a":[1]}'),
      ],
    ],
  );
});
