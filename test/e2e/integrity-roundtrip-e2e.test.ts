/**
 * Issue 13's round trip, end to end: the built CLI ships a corpus with integrity on (a key file,
 * a checkpoint every 400 events) into each test receiver (Loki, Elasticsearch `_bulk`, Splunk HEC,
 * all fully decoding what they get); what the receiver stored is turned into that sink's export
 * format (test/helpers/integrity-exports.ts) and `wirety-ship verify` checks it: exit 0 and "all N
 * events … present and unaltered" with N = the valid audit events of the corpus. Then the real
 * Elasticsearch export is tampered with and each report is asserted exactly (seq ranges and ids,
 * nothing more). The verifier's own tests cover every kind of tampering on synthetic data; these
 * show that what the shipper really sends is what the verifier expects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chainOf } from '../../src/integrity/chain.js';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { startHecReceiver, type HecReceiver } from '../receivers/hec-receiver.js';
import { startLokiReceiver, type LokiReceiver } from '../receivers/loki-receiver.js';
import { journalIdOf, makeCorpus, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import {
  elasticsearchExport,
  essentials,
  lokiExport,
  reorderedKeys,
  runVerify,
  splunkExport,
  writeExport,
  writeIntegrityConfig,
  writeKeyFile,
} from '../helpers/integrity-exports.js';
import { runCli } from '../helpers/run-cli.js';
import { shuffled } from '../verify/synthetic.js';

const CHECKPOINT_EVERY = 400;
const HEC_TOKEN = 'hec-test-token';
/** 3,000 lines, 2,100 of them valid audit events (the rest: access logs, invalid, cut JSON). */
const corpus = makeCorpus(3_000);

let dir: TempDir;
let key: string;
let config: string;
before(async () => {
  dir = await tempDir('ws-e2e-roundtrip-');
  key = await writeKeyFile(dir.file('key'));
  config = await writeIntegrityConfig(dir.file('integrity.yaml'), CHECKPOINT_EVERY);
});
after(async () => {
  await dir.remove();
});

/** Ships the corpus with integrity on to the sink the flags name; returns the journal id. */
async function ship(name: string, sinkArgs: readonly string[], env: Record<string, string> = {}) {
  const dataDir = dir.file(`${name}-data`);
  const result = await runCli(
    [
      '--config',
      config,
      '--integrity-key-file',
      key,
      '--data-dir',
      dataDir,
      '--dead-letter',
      dir.file(`${name}-dead.ndjson`),
      ...sinkArgs,
    ],
    corpus.input,
    { cwd: dir.path, env, timeoutMs: 60_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const summary = summaryOf(result.stderr);
  assert.equal(summary.valid, corpus.validLines.length);
  assert.equal(
    summary.dead_lettered,
    corpus.counts.invalid + corpus.counts.not_json,
    'only refused input lines',
  );
  return { journal: await journalIdOf(dataDir), dataDir };
}

/** verify → exit 0, the "all N events" line and a checkpoint reach; returns the human output. */
async function assertVerifies(file: string, format: string, journal: string): Promise<string> {
  const human = await runVerify(['--key-file', key, '--from', file, '--format', format], false);
  assert.equal(human.code, 0, human.stdout + human.stderr);
  const n = corpus.validLines.length.toLocaleString('en-US');
  assert.match(
    human.stdout,
    new RegExp(`^all ${n} events from journal ${journal} seq 1–[\\d,]+ present and unaltered`, 'm'),
  );
  assert.match(human.stdout, /^ {2}verified through seq [\d,]+ at \S+ \(checkpoint by key [0-9a-f]{16}\)/m);
  assert.match(human.stdout, /^OK: /m);
  const json = await runVerify(['--key-file', key, '--from', file, '--format', format]);
  assert.equal(json.code, 0);
  assert.deepEqual(json.findings, [], 'nothing reported');
  assert.equal(json.summaries.length, 1);
  assert.equal(json.summaries[0]!.events, corpus.validLines.length);
  return human.stdout;
}

void describe('integrity round trip: ship → export → verify', { timeout: 180_000 }, () => {
  const receivers: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  void it('Loki: logcli jsonl of what Loki stored verifies; one entry deleted is MISSING', async () => {
    const loki: LokiReceiver = await startLokiReceiver();
    receivers.push(loki);
    const { journal } = await ship('loki', ['--loki', loki.url]);
    const stored = loki.stored();
    assert.ok(
      stored.some((e) => e.labels.wirety_ship_kind === 'checkpoint'),
      'checkpoints have their own stream',
    );
    const lines = lokiExport(stored);
    const file = await writeExport(dir.file('loki-export.jsonl'), lines);
    await assertVerifies(file, 'loki', journal);
    // One entry deleted from what Loki holds: MISSING exactly its seq.
    // (By position among the events: where the checkpoint records fall depends on batching.)
    const seq = stored
      .filter((e) => e.metadata.seq !== undefined)
      .map((e) => Number(e.metadata.seq))
      .sort((a, b) => a - b)[1234]!;
    const victim = stored.findIndex((e) => e.metadata.seq === String(seq));
    const cut = await writeExport(
      dir.file('loki-one-gone.jsonl'),
      lines.filter((_, i) => i !== victim),
    );
    const r = await runVerify(['--key-file', key, '--from', cut, '--format', 'loki']);
    assert.equal(r.code, 1);
    assert.deepEqual(essentials(r.findings), [{ kind: 'missing', from: seq, to: seq }]);
  });

  void it('Splunk HEC: search/jobs/export json of what HEC indexed verifies; one _raw altered is ALTERED', async () => {
    const hec: HecReceiver = await startHecReceiver({ token: HEC_TOKEN });
    receivers.push(hec);
    const { journal } = await ship('hec', ['--splunk-hec', hec.url], { WIRETY_SHIP_SPLUNK_TOKEN: HEC_TOKEN });
    assert.ok(hec.events.some((e) => e.sourcetype === 'wirety_ship:checkpoint'));
    const lines = splunkExport(hec.events);
    const file = await writeExport(dir.file('splunk-export.json'), lines);
    await assertVerifies(file, 'splunk', journal);
    // One field of one event's _raw changed: ALTERED exactly that seq and id.
    // (By position among the events: where the checkpoint records fall depends on batching.)
    const seqOfLine = (l: string) => (JSON.parse(l) as { result: { seq?: string } }).result.seq;
    const seq = lines
      .map(seqOfLine)
      .filter((v) => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b)[777]!;
    const victim = lines.findIndex((l) => seqOfLine(l) === String(seq));
    const line = JSON.parse(lines[victim]!) as { result: { _raw: string; event_id: string } };
    const raw = JSON.parse(line.result._raw) as Record<string, unknown>;
    line.result._raw = JSON.stringify({ ...raw, network_id: 'net-evil' });
    const altered = await writeExport(
      dir.file('splunk-altered.json'),
      lines.map((l, i) => (i === victim ? JSON.stringify(line) : l)),
    );
    const r = await runVerify(['--key-file', key, '--from', altered, '--format', 'splunk']);
    assert.equal(r.code, 1);
    assert.deepEqual(essentials(r.findings), [{ kind: 'altered', seq, eventId: line.result.event_id }]);
  });

  void describe('Elasticsearch: the _search export, then tampered with', () => {
    let es: BulkReceiver;
    let journal: string;
    let dataDir: string;
    /** The export's lines: events (by seq) and checkpoint hits. */
    let events: { seq: number; id: string; line: string }[];
    let checkpoints: string[];
    let lastCheckpointSeq: number;

    before(async () => {
      es = await startBulkReceiver();
      receivers.push(es);
      ({ journal, dataDir } = await ship('es', ['--elasticsearch', es.url]));
      events = [];
      checkpoints = [];
      for (const line of elasticsearchExport(es)) {
        const hit = JSON.parse(line) as { _id: string; _source: { wirety_ship?: { seq: number } } };
        if (hit._source.wirety_ship) events.push({ seq: hit._source.wirety_ship.seq, id: hit._id, line });
        else checkpoints.push(line);
      }
      events.sort((a, b) => a.seq - b.seq);
      const lastSeqs = checkpoints.map(
        (c) => (JSON.parse(c) as { _source: { last_seq: number } })._source.last_seq,
      );
      lastCheckpointSeq = Math.max(...lastSeqs);
      assert.equal(events.length, corpus.validLines.length);
      // Periodic checkpoints (made at the first journal batch boundary past CHECKPOINT_EVERY events)
      // and the one at shutdown, whose last_seq is the newest event's seq.
      assert.ok(checkpoints.length >= 3, `several checkpoints: ${checkpoints.length}`);
      assert.equal(lastCheckpointSeq, events.at(-1)!.seq, 'the shutdown checkpoint covers every event');
    });

    const write = (name: string, lines: readonly string[]) => writeExport(dir.file(name), lines);
    const verifyEs = async (name: string, lines: readonly string[]) => {
      const run = await runVerify([
        '--key-file',
        key,
        '--from',
        await write(name, lines),
        '--format',
        'elasticsearch',
      ]);
      return { ...run, essentials: essentials(run.findings) };
    };
    const without = (drop: (e: { seq: number }) => boolean) => [
      ...events.filter((e) => !drop(e)).map((e) => e.line),
      ...checkpoints,
    ];

    void it('as exported: verifies', async () => {
      await assertVerifies(
        await write(
          'es-export.ndjson',
          without(() => false),
        ),
        'elasticsearch',
        journal,
      );
    });

    void it('one event deleted: MISSING exactly its seq', async () => {
      const gone = events[700]!;
      const r = await verifyEs(
        'es-one.ndjson',
        without((e) => e.seq === gone.seq),
      );
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [{ kind: 'missing', from: gone.seq, to: gone.seq }]);
    });

    void it('a range deleted: MISSING exactly that range', async () => {
      const from = events[1000]!.seq;
      const to = events[1049]!.seq;
      const r = await verifyEs(
        'es-range.ndjson',
        without((e) => e.seq >= from && e.seq <= to),
      );
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [{ kind: 'missing', from, to }]);
    });

    void it('a range around a checkpoint record deleted: MISSING the events, the checkpoint seq excepted', async () => {
      // The first checkpoint record takes the seq after its last_seq: no event was ever there.
      const first = JSON.parse(checkpoints[0]!) as { _source: { last_seq: number } };
      const checkpointSeq = first._source.last_seq + 1;
      assert.ok(!events.some((e) => e.seq === checkpointSeq));
      const from = checkpointSeq - 5;
      const to = checkpointSeq + 5;
      const r = await verifyEs(
        'es-around-checkpoint.ndjson',
        without((e) => e.seq >= from && e.seq <= to),
      );
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [
        { kind: 'missing', from, to: checkpointSeq - 1 },
        { kind: 'missing', from: checkpointSeq + 1, to },
      ]);
    });

    void it("two events' contents swapped: both ALTERED", async () => {
      const [a, b] = [events[200]!, events[900]!];
      const hitA = JSON.parse(a.line) as { _source: Record<string, unknown> };
      const hitB = JSON.parse(b.line) as { _source: Record<string, unknown> };
      const swap = (into: typeof hitA, from: typeof hitA) =>
        JSON.stringify({ ...into, _source: { ...from._source, wirety_ship: into._source.wirety_ship } });
      const lines = events.map((e) => (e === a ? swap(hitA, hitB) : e === b ? swap(hitB, hitA) : e.line));
      const r = await verifyEs('es-swapped.ndjson', [...lines, ...checkpoints]);
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [
        { kind: 'altered', seq: a.seq, eventId: a.id },
        { kind: 'altered', seq: b.seq, eventId: b.id },
      ]);
    });

    void it('an event added with a chain made by another key: FORGED, nothing else', async () => {
      // A copy of a real event under a seq the journal never used for an event (a checkpoint's).
      const seq = (JSON.parse(checkpoints[0]!) as { _source: { last_seq: number } })._source.last_seq + 1;
      const model = JSON.parse(events[10]!.line) as {
        _index: string;
        _source: Record<string, unknown> & { wirety_ship: Record<string, unknown> };
      };
      const { '@timestamp': _t, wirety_ship: ours, ...event } = model._source;
      const fake = { ...event, actor_id: 'forger' };
      const prev = String(ours.chain);
      const chain = chainOf(randomBytes(32), prev, seq, fake);
      const id = `${journal}-${seq}`;
      const forgedHit = JSON.stringify({
        _index: model._index,
        _id: id,
        _source: {
          ...model._source,
          ...fake,
          wirety_ship: { ...ours, event_id: id, seq, chain, chain_prev: prev },
        },
      });
      const r = await verifyEs('es-forged.ndjson', [...without(() => false), forgedHit]);
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [{ kind: 'forged', seq, eventId: id }]);
    });

    void it('one field of one event altered: ALTERED that seq and id', async () => {
      const target = events[321]!;
      const hit = JSON.parse(target.line) as { _source: Record<string, unknown> };
      hit._source.network_id = 'net-evil';
      const lines = events.map((e) => (e === target ? JSON.stringify(hit) : e.line));
      const r = await verifyEs('es-altered.ndjson', [...lines, ...checkpoints]);
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [{ kind: 'altered', seq: target.seq, eventId: target.id }]);
    });

    void it('the newest events after the last checkpoint dropped: the truncation is MISSING', async () => {
      // Events exist after the last periodic checkpoint, up to the shutdown checkpoint: cut the
      // last 30 events, keep every checkpoint.
      const cut = events.slice(-30);
      const r = await verifyEs(
        'es-truncated.ndjson',
        without((e) => e.seq >= cut[0]!.seq),
      );
      assert.equal(r.code, 1);
      assert.deepEqual(r.essentials, [
        { kind: 'missing', from: cut[0]!.seq, to: lastCheckpointSeq, tail: true },
      ]);
    });

    void it('the tail and every checkpoint deleted from the sink: only the chain is left, the witness file shows the cut', async () => {
      const cut = events.slice(-30);
      const lines = events.filter((e) => e.seq < cut[0]!.seq).map((e) => e.line);
      // Without a checkpoint, a cut-off tail cannot be seen: what remains is a complete chain.
      const blind = await verifyEs('es-cut-blind.ndjson', lines);
      assert.equal(blind.code, 0, blind.stdout);
      assert.deepEqual(blind.findings, []);
      // The shipper's own checkpoint file (the witness copy) states how far the journal reached.
      const run = await runVerify([
        '--key-file',
        key,
        '--from',
        dir.file('es-cut-blind.ndjson'),
        '--format',
        'elasticsearch',
        '--checkpoints',
        `${dataDir}/checkpoints.ndjson`,
      ]);
      assert.equal(run.code, 1);
      assert.deepEqual(essentials(run.findings), [
        { kind: 'missing', from: cut[0]!.seq, to: lastCheckpointSeq, tail: true },
      ]);
    });

    void it('everything duplicated and shuffled: verifies, duplicates counted', async () => {
      const all = without(() => false);
      const r = await verifyEs('es-dup.ndjson', shuffled([...all, ...all], 7));
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.findings, []);
      assert.equal(r.summaries[0]!.duplicates, all.length - checkpoints.length);
    });

    void it('every _source with its keys reordered (synthetic source): verifies', async () => {
      const reordered = without(() => false).map((line) => {
        const hit = JSON.parse(line) as { _source: unknown };
        return JSON.stringify({ ...hit, _source: reorderedKeys(hit._source) });
      });
      assert.notDeepEqual(
        reordered,
        without(() => false),
      );
      await assertVerifies(await write('es-reordered.ndjson', reordered), 'elasticsearch', journal);
    });
  });
});
