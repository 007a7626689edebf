/**
 * The foundation end to end: the built CLI reads examples/wirety-server.log on stdin and ships it
 * to a real Loki test receiver (snappy + protobuf decoded). Every valid line arrives once,
 * byte-identical, with the right labels, timestamps and structured metadata; invalid lines are in
 * the dead-letter file with their reason; non-audit lines appear nowhere but in the counts. A Loki
 * that refuses structured metadata (the sink blocked, events kept until `structured_metadata:
 * false`) is tested on the fake clock in test/pipeline/outages.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/audit/classify.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { runCli } from '../helpers/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const examplePath = path.join(root, 'examples', 'wirety-server.log');

let receiver: LokiReceiver;
let dir: string;
before(async () => {
  receiver = await startLokiReceiver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-loki-'));
});
after(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

test('examples/wirety-server.log → Loki: every valid line once, byte-identical, labelled, timed', async () => {
  const input = await readFile(examplePath);
  const lines = input.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const classify = createClassifier();
  const verdicts = lines.map((l) => classify(l));
  const validLines = lines.filter((_, i) => verdicts[i]!.verdict === 'valid');
  const notAuditLines = lines.filter((_, i) => verdicts[i]!.verdict === 'not_audit');
  assert.ok(validLines.length >= 40, 'the example covers every action');

  const deadLetterPath = path.join(dir, 'dead.ndjson');
  const result = await runCli(
    [
      '--loki',
      receiver.url,
      '--loki-tenant',
      'acme',
      '--data-dir',
      path.join(dir, 'data'),
      '--dead-letter',
      deadLetterPath,
    ],
    input,
    { cwd: dir },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.length, 0, 'stdout stays empty when shipping to Loki');

  const entries = receiver.entries();
  assert.deepEqual(
    entries.map((e) => e.line).sort(),
    [...validLines].sort(),
    'each valid line exactly once, byte-identical',
  );
  for (const source of ['server', 'agent']) {
    const sourceOf = (line: string) =>
      (JSON.parse(line) as { actor_type?: string }).actor_type === 'agent' ? 'agent' : 'server';
    assert.deepEqual(
      entries.filter((e) => e.labels.source === source).map((e) => e.line),
      validLines.filter((l) => sourceOf(l) === source),
      `the ${source} stream keeps input order`,
    );
  }
  const ids = new Set<string>();
  for (const [i, entry] of entries.entries()) {
    const event = JSON.parse(entry.line) as Record<string, unknown>;
    const agent = event.actor_type === 'agent';
    assert.equal(entry.tenant, 'acme');
    assert.equal(entry.labels.job, 'wirety');
    assert.equal(entry.labels.source, agent ? 'agent' : 'server');
    assert.equal(
      entry.timestampNs / 1_000_000_000n,
      BigInt(event.time as number),
      'seconds from the event time',
    );
    assert.ok(entry.metadata.event_id, 'event id in structured metadata');
    ids.add(entry.metadata.event_id);
    if (typeof event.network_id === 'string') assert.equal(entry.metadata.network_id, event.network_id);
    if (typeof event.peer_id === 'string') assert.equal(entry.metadata.peer_id, event.peer_id);
    if (typeof event.actor_id === 'string') assert.equal(entry.metadata.actor_id, event.actor_id);
    assert.equal(Object.keys(entry.labels).length, 2, `entry ${i}: no high-cardinality labels`);
  }
  assert.equal(ids.size, entries.length, 'event ids are unique');

  const dead = (await readFile(deadLetterPath, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { reason: string; line?: string; detail: string });
  // Empty lines have their own verdict and are only counted.
  const expectedDead = lines.filter((_, i) => ['invalid', 'not_json'].includes(verdicts[i]!.verdict));
  assert.deepEqual(
    dead.map((d) => d.line),
    expectedDead,
  );
  for (const d of dead) assert.ok(d.detail.length > 0, 'each dead-letter record says why');

  for (const line of notAuditLines) {
    assert.ok(!entries.some((e) => e.line === line), 'non-audit lines are not shipped');
    assert.ok(!dead.some((d) => d.line === line), 'non-audit lines are not dead-lettered');
  }

  const summary = result.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'summary');
  assert.ok(summary, 'a summary on stderr');
  assert.equal(summary.lines_read, lines.length);
  assert.equal(summary.valid, validLines.length);
  assert.equal(summary.not_audit, notAuditLines.length);
  assert.equal(
    (summary.not_json as number) +
      (summary.empty as number) +
      summary.not_audit +
      (summary.invalid as number) +
      summary.valid,
    lines.length,
    'every line in exactly one bucket',
  );
  assert.deepEqual((summary.sinks as Record<string, unknown>).loki, {
    delivered: validLines.length,
    rejected: 0,
    retries: {},
    pending: 0,
  });
});
