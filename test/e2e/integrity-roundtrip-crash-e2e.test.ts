/**
 * Issue 13's round trip across the shipper's failures, through the built CLI and the test receivers:
 * (1) kill -9 in the middle of a run, while a push the receiver already stored is unanswered, then a
 *     restart on the same data directory: the restart re-sends that push (duplicates at the
 *     receiver), the chain continues across the restart, the seqs the journal skipped after the
 *     unclean stop are not reported missing, and the export with every copy verifies.
 * (2) an event Elasticsearch refuses for good (item 400 mapper_parsing_exception) is dead-lettered
 *     by the shipper: `verify` reports its seq MISSING without the dead-letter file, EXPLAINED with it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { startBulkReceiver } from '../receivers/bulk-receiver.js';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import {
  deadLetters,
  journalIdOf,
  makeCorpus,
  pollUntil,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { journalText, stopCli, waitForLines } from '../helpers/input-e2e.js';
import {
  elasticsearchExport,
  essentials,
  lokiExport,
  runVerify,
  writeExport,
  writeIntegrityConfig,
  writeKeyFile,
} from '../helpers/integrity-exports.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import type { Checkpoint } from '../../src/integrity/checkpoint.js';

let dir: TempDir;
let key: string;
let config: string;
before(async () => {
  dir = await tempDir('ws-e2e-roundtrip-crash-');
  key = await writeKeyFile(dir.file('key'));
  config = await writeIntegrityConfig(dir.file('integrity.yaml'), 300);
});
after(async () => {
  await dir.remove();
});

void describe('integrity round trip across failures', { timeout: 120_000 }, () => {
  const receivers: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  void it('kill -9 mid-run, restart on the same data dir: re-sent duplicates and the restart verify', async () => {
    const corpus = makeCorpus(2_000, { onlyValid: true });
    const lines = corpus.validLines;
    const split = 1_200;
    const loki = await startLokiReceiver();
    receivers.push(loki);
    // Run 1: Loki stores every push as it arrives but never answers, so nothing is confirmed and
    // whatever was pushed must be sent again after the restart.
    let release: () => void = () => undefined;
    const never = new Promise<void>((resolve) => (release = resolve));
    loki.setDefaultReply(() => ({ gate: never, then: { status: 204 } }));

    const log = dir.file('app.log');
    await writeFile(log, lines.slice(0, split).join('\n') + '\n');
    const dataDir = dir.file('crash-data');
    const args = [
      '--config',
      config,
      '--integrity-key-file',
      key,
      '--file',
      log,
      '--file-format',
      'raw',
      '--loki',
      loki.url,
      '--data-dir',
      dataDir,
      '--dead-letter',
      dir.file('crash-dead.ndjson'),
      '--shutdown-timeout',
      '5s',
    ];
    const first = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    await loki.waitForEntries(1);
    first.child.kill('SIGKILL');
    const killed = await first.result;
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const storedBeforeKill = loki.entries().length;
    assert.ok(storedBeforeKill > 0 && storedBeforeKill < lines.length, 'the kill landed mid-run');

    // Run 2: Loki answers; more lines are written while it runs.
    loki.setDefaultReply(() => ({ status: 204 }));
    release();
    const second = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    await appendFile(log, lines.slice(split).join('\n') + '\n');
    await waitForLines(loki, lines, 45_000);
    // The shutdown checkpoint is sent before the exit: SIGTERM, then wait for the clean end.
    const stopped = await stopCli(second);
    assert.equal(stopped.code, 0, stopped.stderr);

    const journal = await journalIdOf(dataDir);
    const events = loki.entries().filter((e) => e.labels.wirety_ship_kind !== 'checkpoint');
    assert.ok(events.length > lines.length, 're-sent duplicates reached the receiver');
    const checkpoints = (await readFile(`${dataDir}/checkpoints.ndjson`, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Checkpoint);
    const last = checkpoints.at(-1)!;
    // The file input may read again, after the kill, lines it had journaled but whose position it
    // had not saved yet: they are journaled again under new seqs (same event id). So the journal
    // holds at least every line once.
    assert.ok(last.count >= lines.length, 'the last checkpoint counts every event of both runs');
    // The restart after the unclean stop skipped the seqs the first run had reserved (a range, not
    // just the single seqs of checkpoint records): the chain links across it.
    assert.ok(
      last.skipped.some(([a, b]) => b - a > 1),
      `a journal skip after the kill: ${JSON.stringify(last.skipped)}`,
    );

    // Every copy Loki was sent, duplicates included, as logcli would print them.
    const file = await writeExport(dir.file('crash-export.jsonl'), lokiExport(loki.entries()));
    const json = await runVerify(['--key-file', key, '--from', file, '--format', 'loki']);
    assert.equal(json.code, 0, json.stdout + json.stderr);
    assert.deepEqual(json.findings, [], 'nothing missing, altered or unlinked across the restart');
    assert.equal(json.summaries[0]!.events, last.count, 'every journaled event');
    assert.equal(json.summaries[0]!.duplicates, events.length - last.count);
    assert.ok(events.length > last.count, 'the re-sent push is among them');
    const human = await runVerify(['--key-file', key, '--from', file, '--format', 'loki'], false);
    assert.equal(human.code, 0);
    assert.match(
      human.stdout,
      new RegExp(
        `^all ${last.count.toLocaleString('en-US')} events from journal ${journal} seq 1–[\\d,]+ present and unaltered \\([\\d,]+ duplicate cop(y|ies) ignored\\)$`,
        'm',
      ),
    );
  });

  void it('kill -9 with the file input, Elasticsearch sink: lines read again after the kill verify', async () => {
    const lines = makeCorpus(1_500, { onlyValid: true }).validLines;
    const es = await startBulkReceiver();
    receivers.push(es);
    const log = dir.file('es-crash.log');
    await writeFile(log, lines.join('\n') + '\n');
    const dataDir = dir.file('es-crash-data');
    const args = [
      '--config',
      config,
      '--integrity-key-file',
      key,
      '--file',
      log,
      '--file-format',
      'raw',
      '--elasticsearch',
      es.url,
      '--data-dir',
      dataDir,
      '--dead-letter',
      dir.file('es-crash-dead.ndjson'),
    ];
    const first = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    // Positions are saved at most once a second: killed as soon as the last line is journaled,
    // the run has journaled lines whose position is not saved yet.
    await pollUntil(
      'the last line journaled',
      async () => ((await journalText(dataDir).catch(() => '')).includes(lines.at(-1)!) ? true : undefined),
      30_000,
    );
    first.child.kill('SIGKILL');
    await first.result;
    const second = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    await second.waitForStderr(/"msg":"wirety-ship started"/);
    const audit = () => [...es.documents.values()].filter((d) => d.wirety_ship !== undefined).length;
    await pollUntil('every line stored', () => (audit() >= lines.length ? true : undefined), 45_000);
    const stopped = await stopCli(second);
    assert.equal(stopped.code, 0, stopped.stderr);
    // The restart read lines again (their position was not saved yet) and journaled none twice:
    // the journal held them (already_journaled), so the chain counts each line once.
    const again = /"already_journaled":(\d+)|already_journaled=(\d+)/.exec(stopped.stderr);
    assert.ok(
      again && Number(again[1] ?? again[2]) > 0,
      `lines were read again after the kill: ${stopped.stderr.slice(-600)}`,
    );
    const file = await writeExport(dir.file('es-crash-export.ndjson'), elasticsearchExport(es));
    const run = await runVerify(['--key-file', key, '--from', file, '--format', 'elasticsearch']);
    assert.deepEqual(essentials(run.findings), []);
    assert.equal(run.code, 0);
  });

  void it('an event ES refuses for good: MISSING without --dead-letter, EXPLAINED with the shipper’s file', async () => {
    const corpus = makeCorpus(1_000); // with invalid lines: the dead-letter file holds those too
    const refusedPeer = 'peer-502';
    const es = await startBulkReceiver();
    receivers.push(es);
    es.scriptItems((doc) => ((doc as { peer_id?: string }).peer_id === refusedPeer ? 400 : undefined));
    const dataDir = dir.file('dead-data');
    const deadLetter = dir.file('dead.ndjson');
    const shipped = await runCli(
      [
        '--config',
        config,
        '--integrity-key-file',
        key,
        '--elasticsearch',
        es.url,
        '--data-dir',
        dataDir,
        '--dead-letter',
        deadLetter,
      ],
      corpus.input,
      { cwd: dir.path, timeoutMs: 60_000 },
    );
    assert.equal(shipped.code, 0, shipped.stderr);
    const journal = await journalIdOf(dataDir);
    const refused = (await deadLetters(deadLetter)).filter((d) => d.sink !== undefined);
    assert.equal(refused.length, 1, 'exactly one event dead-lettered by the sink');
    const seq = refused[0]!.seq as number;
    assert.match(String(refused[0]!.line), new RegExp(`"peer_id":"${refusedPeer}"`));

    const file = await writeExport(dir.file('dead-export.ndjson'), elasticsearchExport(es));
    const bare = await runVerify(['--key-file', key, '--from', file, '--format', 'elasticsearch']);
    assert.equal(bare.code, 1);
    assert.deepEqual(essentials(bare.findings), [{ kind: 'missing', from: seq, to: seq }]);

    const withFile = [
      '--key-file',
      key,
      '--from',
      file,
      '--format',
      'elasticsearch',
      '--dead-letter',
      deadLetter,
    ];
    const explained = await runVerify(withFile);
    assert.equal(explained.code, 0, explained.stdout);
    assert.deepEqual(essentials(explained.findings), [
      { kind: 'explained', seq, eventId: `${journal}-${seq}`, sink: 'elasticsearch', reason: 'rejected' },
    ]);
    const human = await runVerify(withFile, false);
    assert.equal(human.code, 0);
    assert.match(
      human.stdout,
      new RegExp(
        `^EXPLAINED seq ${seq} \\(event_id ${journal}-${seq}\\) dead-lettered by sink elasticsearch \\(rejected: 400 mapper_parsing_exception`,
        'm',
      ),
    );
  });
});
