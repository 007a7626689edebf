/**
 * What the operator reads on stderr, through the built CLI: a sink that keeps failing says since
 * when and why in the summary, and the next start says what it resumes ("resuming: <sink> N events
 * pending (oldest read at …)") before delivering it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { runCli } from '../helpers/run-cli.js';
import { logLines, makeCorpus, summaryOf, tempDir, type TempDir } from '../helpers/e2e-corpus.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-operator-');
});
after(async () => {
  await dir.remove();
});

test('a failing sink shows its last error and since when; the next start says what it resumes', async () => {
  const corpus = makeCorpus(80);
  const receiver = await startLokiReceiver();
  receiver.setDefaultReply(() => ({ status: 503, body: 'ingester unavailable\n' }));
  const config = await dir.writeConfig(
    'resume.yaml',
    [
      `buffer: { data_dir: "${dir.file('resume-data')}" }`,
      `dead_letter: { path: "${dir.file('resume-dead.ndjson')}" }`,
      'shutdown_timeout: 1s',
      'defaults: { retry: { initial_backoff: 20ms, max_backoff: 100ms }, batch: { max_wait: 20ms } }',
      'sinks:',
      '  loki:',
      '    type: loki',
      `    url: ${receiver.url}`,
      '',
    ].join('\n'),
  );
  try {
    const startedMs = Date.now();
    const first = await runCli(['--config', config], corpus.input, { cwd: dir.path, timeoutMs: 20_000 });
    const endedMs = Date.now();
    assert.equal(first.code, 75, first.stderr);
    const loki = summaryOf(first.stderr).sinks.loki as unknown as Record<string, unknown>;
    assert.equal(loki.pending, corpus.counts.valid);
    assert.match(String(loki.last_error), /503/, 'the receiver said why');
    assert.match(String(loki.last_error), /ingester unavailable/);
    const failingSince = Date.parse(String(loki.failing_since));
    assert.ok(
      failingSince >= startedMs - 1000 && failingSince <= endedMs,
      `failing_since ${String(loki.failing_since)}`,
    );

    receiver.setDefaultReply(() => ({ status: 204 }));
    const second = await runCli(['--config', config], '', { cwd: dir.path, timeoutMs: 20_000 });
    assert.equal(second.code, 0, second.stderr);
    const resuming = logLines(second.stderr).filter((l) => String(l.msg).startsWith('resuming:'));
    assert.equal(resuming.length, 1, second.stderr);
    const line = resuming[0]!;
    assert.match(
      String(line.msg),
      new RegExp(
        `^resuming: loki ${corpus.counts.valid} events pending \\(oldest read at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)$`,
      ),
    );
    assert.equal(line.sink, 'loki');
    assert.equal(line.pending, corpus.counts.valid);
    const oldest = Date.parse(String(line.oldest_received_at));
    assert.ok(
      oldest >= startedMs - 1000 && oldest <= endedMs,
      `oldest_received_at ${String(line.oldest_received_at)}`,
    );
    assert.equal(line.oldest_seq, 1);
    assert.equal(summaryOf(second.stderr).sinks.loki?.delivered, corpus.counts.valid, 'then delivers them');
    const after = summaryOf(second.stderr).sinks.loki as unknown as Record<string, unknown>;
    assert.equal(after.failing_since, undefined, 'a sink that delivers is not failing');

    const third = await runCli(['--config', config], '', { cwd: dir.path, timeoutMs: 20_000 });
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stderr, /resuming:/, 'nothing left: nothing to resume');
  } finally {
    await receiver.close();
  }
});
