/**
 * Receiver outages through the whole pipeline, in the test process on the fake clock (the
 * backoffs and shutdown_timeout cost no real seconds): a receiver down for a whole run, an index
 * that does not exist, one sink down next to healthy ones, a slow sink next to a fast one, a Loki
 * that refuses structured metadata. Each
 * first run ends with exit 75 and the events kept in the journal; the restart (same directory)
 * delivers each of them once.
 *
 * Every input line is unique and event ids are `${journalId}-${seq}`, so a delivered entry names
 * both the input line it came from and the journal record that carried it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBulkReceiver } from '../receivers/bulk-receiver.js';
import { splitConcatenatedJson, startHecReceiver, type HecEnvelope } from '../receivers/hec-receiver.js';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import {
  deadLetters,
  journalIdOf,
  logLines,
  makeCorpus,
  seqOf,
  tally,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { readExampleLog } from '../helpers/example-log.js';
import { startPipeline, type HarnessResult } from '../helpers/pipeline-harness.js';

const HEC_TOKEN = '9b8a7c6d-1e2f-4a3b-8c9d-0e1f2a3b4c5d';
const ES_KEY = 'ZmFub3V0LWUyZTpmYW5vdXQta2V5LXNlY3JldA==';

let input: Buffer;
let validLines: string[];
let dir: TempDir;
const closers: (() => Promise<void>)[] = [];
before(async () => {
  ({ input, validLines } = await readExampleLog());
  dir = await tempDir('ws-outage-');
});
after(async () => {
  await Promise.all(closers.map((close) => close()));
  await dir.remove();
});

/** Runs the pipeline in `runDir` with `text` on stdin to its end (the clock moved as needed). */
async function runToEnd(
  runDir: string,
  args: readonly string[],
  text: string | Buffer,
  env: Record<string, string> = {},
): Promise<HarnessResult> {
  const run = await startPipeline({ dir: runDir, args, env });
  try {
    run.end(text);
    return await run.finish();
  } finally {
    await run.close();
  }
}

/**
 * A first run against a dead receiver gives up after 1 s without progress; the restart keeps the
 * harness's long shutdown_timeout, so nothing cuts its deliveries short.
 */
const GIVE_UP_FAST = ['--shutdown-timeout', '1s'];

const pendingOf = (r: HarnessResult) =>
  Object.fromEntries(Object.entries(r.summary.sinks).map(([name, s]) => [name, s.pending]));
const sorted = <T>(xs: readonly T[]): T[] => [...xs].sort();

test('receiver down for a whole run: all journaled, exit 75; the next start delivers each event once, byte-identical', async () => {
  const corpus = makeCorpus(2_000);
  const receiver = await startLokiReceiver();
  closers.push(() => receiver.close());
  await receiver.down();
  const runDir = dir.file('down');
  const args = ['--loki', receiver.url];

  const first = await runToEnd(runDir, [...args, ...GIVE_UP_FAST], corpus.input);
  assert.equal(first.exitCode, 75, first.stderr);
  assert.ok(first.elapsedMs < 20_000, 'gave up after the configured shutdown_timeout, not the default');
  const s1 = first.summary;
  assert.equal(s1.lines_read, corpus.lines.length);
  assert.equal(s1.valid, corpus.counts.valid);
  assert.equal(s1.journaled, corpus.counts.valid, 'every valid line journaled');
  assert.equal(s1.dropped_full, 0);
  assert.equal(s1.sinks.loki?.delivered, 0);
  assert.equal(s1.sinks.loki?.pending, corpus.counts.valid);
  assert.match(first.stderr, /they stay in the journal and are delivered on the next start/);
  assert.equal(receiver.requests.length, 0, 'the receiver really was down');

  await receiver.up();
  const second = await runToEnd(runDir, args, '');
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal(second.summary.lines_read, 0);
  assert.deepEqual(second.summary.sinks.loki, {
    delivered: corpus.counts.valid,
    rejected: 0,
    retries: {},
    pending: 0,
  });

  const entries = receiver.entries();
  const journalId = await journalIdOf(`${runDir}/wirety-ship/journal`);
  const ids = entries.map((e) => e.metadata.event_id ?? '');
  assert.deepEqual(
    [...tally(ids)].filter(([, n]) => n > 1),
    [],
    'every event id exactly once',
  );
  const seqs = ids.map((id) => seqOf(id, journalId));
  assert.deepEqual(
    [...seqs].sort((a, b) => a - b),
    Array.from({ length: corpus.counts.valid }, (_, i) => i + 1),
    'every journaled event, once',
  );
  for (const e of entries) {
    const seq = seqOf(e.metadata.event_id ?? '', journalId);
    assert.equal(
      e.line,
      corpus.validLines[seq - 1],
      `seq ${seq} carries valid input line ${seq}, byte-identical`,
    );
  }
  for (const source of ['agent', 'server']) {
    const streamSeqs = entries
      .filter((e) => e.labels.source === source)
      .map((e) => seqOf(e.metadata.event_id!, journalId));
    assert.deepEqual(
      streamSeqs,
      [...streamSeqs].sort((a, b) => a - b),
      `the ${source} stream keeps input order`,
    );
  }
  assert.deepEqual(
    (await deadLetters(`${runDir}/wirety-ship/dead-letter.ndjson`).catch(() => [])).filter(
      (d) => d.sink !== undefined,
    ),
    [],
    'nothing dead-lettered',
  );
});

test('index missing and not auto-creatable (every item 404 index_not_found_exception): nothing dead-lettered, a loud error naming the index and the fix, exit 75; once the index exists the next run delivers all', async () => {
  const es = await startBulkReceiver({ autoCreateIndex: false });
  closers.push(() => es.close());
  const runDir = dir.file('noindex');
  const args = ['--elasticsearch', es.url];
  const env = { WIRETY_SHIP_ES_API_KEY: ES_KEY };

  const first = await runToEnd(runDir, [...args, ...GIVE_UP_FAST], input, env);
  assert.equal(first.exitCode, 75, first.stderr);
  assert.ok(es.bulkRequests.length >= 1);
  assert.ok(
    es.bulkRequests.every((r) => r.statuses.every((s) => s === 404)),
    'Elasticsearch refused every item',
  );
  assert.equal(es.documents.size, 0);
  const error = logLines(first.stderr).find((l) => l.level === 'error' && l.sink === 'elasticsearch');
  assert.ok(error, `an error-level log naming the sink:\n${first.stderr}`);
  assert.match(String(error.msg), /refuses this sink/);
  assert.match(
    String(error.reason),
    /404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: the index does not exist .*action\.auto_create_index/,
  );
  const s1 = first.summary.sinks.elasticsearch;
  assert.deepEqual(
    { delivered: s1?.delivered, rejected: s1?.rejected, pending: s1?.pending },
    { delivered: 0, rejected: 0, pending: validLines.length },
    'kept, not dead-lettered',
  );
  assert.ok((s1?.retries.blocked ?? 0) >= 1, 'counted as blocked');
  const dead = (await deadLetters(`${runDir}/wirety-ship/dead-letter.ndjson`)).filter(
    (d) => d.sink !== undefined,
  );
  assert.equal(dead.length, 0, 'a missing index is never a rejection');

  // The operator creates the index (or a template allowing it); the next start delivers everything.
  es.createIndex('wirety-audit-2025.05.23');
  const before = es.bulkRequests.length;
  const second = await runToEnd(runDir, args, '', env);
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal(es.documents.size, validLines.length);
  const created = es.bulkRequests.slice(before).flatMap((r) => r.statuses);
  assert.equal(created.length, validLines.length, 'each kept event sent once more');
  assert.ok(created.every((s) => s === 201));
  assert.equal(second.summary.sinks.elasticsearch?.delivered, validLines.length);
  assert.equal(second.summary.sinks.elasticsearch?.pending, 0);
});

test('one sink down: the others deliver everything, exit 75 with only it pending; after a restart it alone catches up', async () => {
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
  await es.down(); // connection refused
  const runDir = dir.file('one-down');
  const args = ['--loki', loki.url, '--elasticsearch', es.url, '--splunk-hec', hec.url];
  const env = { WIRETY_SHIP_SPLUNK_TOKEN: HEC_TOKEN, WIRETY_SHIP_ES_API_KEY: ES_KEY };

  const first = await runToEnd(runDir, [...args, ...GIVE_UP_FAST], input, env);
  assert.equal(first.exitCode, 75, first.stderr);
  assert.deepEqual(sorted(loki.entries().map((e) => e.line)), sorted(validLines), 'Loki complete');
  assert.equal(hec.events.length, validLines.length, 'Splunk complete');
  assert.deepEqual(pendingOf(first), { loki: 0, elasticsearch: 45, splunk: 0 });
  assert.match(first.stderr, /not delivered before shutdown/);
  assert.match(first.stderr, /"class":"network"/, 'the refused connections were retried, not dropped');
  assert.equal(es.requests.length, 0);

  await es.up();
  const lokiRequests = loki.requests.length;
  const hecRequests = hec.requests.length;
  const second = await runToEnd(runDir, args, '', env); // same directory, empty stdin
  assert.equal(second.exitCode, 0, second.stderr);
  assert.deepEqual(pendingOf(second), { loki: 0, elasticsearch: 0, splunk: 0 });
  assert.equal(second.summary.sinks.elasticsearch?.delivered, 45);
  assert.equal(second.summary.sinks.loki?.delivered, 0);
  assert.equal(second.summary.sinks.splunk?.delivered, 0);
  assert.equal(loki.requests.length, lokiRequests, 'Loki is sent nothing again');
  assert.equal(hec.requests.length, hecRequests, 'Splunk is sent nothing again');
  // Every valid line once at each receiver, under the same event ids.
  const lokiIds = sorted(loki.entries().map((e) => e.metadata.event_id));
  assert.equal(new Set(lokiIds).size, validLines.length);
  for (const [, count] of es.sendCounts()) assert.equal(count, 1, 'Elasticsearch: each sent once');
  assert.deepEqual(sorted([...es.sendCounts().keys()]), lokiIds, 'the same event ids at Elasticsearch');
  assert.deepEqual(
    sorted(hec.events.map((e) => String(e.fields?.event_id))),
    lokiIds,
    'the same event ids at Splunk',
  );
});

test('a slow sink never delays another: Loki gets everything while Splunk’s first request is unanswered', async () => {
  const [loki, hec] = await Promise.all([startLokiReceiver(), startHecReceiver({ token: HEC_TOKEN })]);
  closers.push(
    () => loki.close(),
    () => hec.close(),
  );
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  hec.replyNext({ gate, then: { status: 200, body: { text: 'Success', code: 0 } } });
  const run = await startPipeline({
    args: ['--loki', loki.url, '--splunk-hec', hec.url],
    env: { WIRETY_SHIP_SPLUNK_TOKEN: HEC_TOKEN },
  });
  try {
    run.end(input);
    await run.advanceUntil(
      () => hec.requests.length >= 1 && loki.entries().length >= validLines.length,
      'Splunk sent its first request and Loki has everything',
    );
    assert.equal(hec.requests.length, 1, 'Splunk: still waiting on its first reply');
    assert.deepEqual(sorted(loki.entries().map((e) => e.line)), sorted(validLines));
    release();
    const result = await run.finish();
    assert.equal(result.exitCode, 0, result.stderr);

    // The held request was answered "Success" (a scripted reply, so the receiver did not record
    // it): decode every event request to check that each event was sent to Splunk exactly once.
    const sent: HecEnvelope[] = hec.requests
      .filter((q) => q.url === '/services/collector/event')
      .flatMap((q) => {
        const parts = splitConcatenatedJson(q.body.toString('utf8'));
        assert.ok(Array.isArray(parts), 'well-formed concatenated envelopes');
        return parts.map((raw) => ({ ...(JSON.parse(raw) as HecEnvelope), raw }));
      });
    assert.deepEqual(
      sorted(sent.map((e) => JSON.stringify(e.event))),
      sorted(validLines.map((l) => JSON.stringify(JSON.parse(l)))),
    );
    assert.deepEqual(pendingOf(result), { loki: 0, splunk: 0 });
    assert.equal(result.summary.sinks.splunk?.delivered, 45);
  } finally {
    release();
    await run.close();
  }
});

test('Loki refusing structured metadata (2.9 default): blocked, nothing dead-lettered, exit 75 with the events kept; structured_metadata: false then delivers them all', async () => {
  const corpus = makeCorpus(300, { onlyValid: true });
  const loki = await startLokiReceiver({ limits: { allowStructuredMetadata: false } });
  closers.push(() => loki.close());
  const runDir = dir.file('sm');

  const first = await runToEnd(runDir, ['--loki', loki.url, ...GIVE_UP_FAST], corpus.input);
  assert.equal(first.exitCode, 75, first.stderr);
  const { failing_since: failingSince, last_error: lastError, ...counts } = first.summary.sinks.loki!;
  assert.deepEqual(counts, {
    delivered: 0,
    rejected: 0,
    retries: { blocked: 1 },
    pending: corpus.counts.valid,
  });
  assert.match(String(lastError), /^Loki refuses structured metadata/, 'the summary says why the sink fails');
  assert.ok(!Number.isNaN(Date.parse(String(failingSince))), 'and since when');
  const deadLetterPath = `${runDir}/wirety-ship/dead-letter.ndjson`;
  assert.deepEqual(await deadLetters(deadLetterPath).catch(() => []), [], 'nothing dead-lettered');
  const refusal = logLines(first.stderr).find((l) => l.level === 'error' && l.sink === 'loki');
  assert.match(String(refusal?.reason), /set `structured_metadata: false` on this sink/);
  assert.ok(loki.requests.length > 0, 'Loki was asked');
  assert.deepEqual(loki.stored(), []);

  const second = await startPipeline({
    dir: runDir,
    configFile: [
      'sinks:',
      '  loki:',
      '    type: loki',
      `    url: ${loki.url}`,
      '    structured_metadata: false',
      '',
    ].join('\n'),
  });
  try {
    second.end();
    const r2 = await second.finish();
    assert.equal(r2.exitCode, 0, r2.stderr);
    assert.deepEqual(r2.summary.sinks.loki, {
      delivered: corpus.counts.valid,
      rejected: 0,
      retries: {},
      pending: 0,
    });
  } finally {
    await second.close();
  }
  const stored = loki.stored();
  assert.deepEqual(
    stored.map((e) => e.line).sort(),
    [...corpus.validLines].sort(),
    'each kept event once, byte-identical',
  );
  for (const e of stored) assert.deepEqual(e.metadata, {}, 'no structured metadata sent');
  assert.deepEqual(await deadLetters(deadLetterPath).catch(() => []), []);
});
