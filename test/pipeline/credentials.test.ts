/**
 * Refused credentials through the whole pipeline, in the test process on the fake clock (the
 * blocked sink's backoffs and shutdown_timeout cost no real seconds), against the faithful HEC
 * receiver: a wrong token keeps every event (loud error, exit 75 at a stop) until a later run with
 * the fixed token file delivers them; a token file fixed while the sink is blocked is used by the
 * very next attempt. The rest of the HEC sink's behaviour stays in test/e2e/splunk-e2e.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { startHecReceiver, type HecEnvelope } from '../receivers/hec-receiver.js';
import { journalIdOf, logLines, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { readExampleLog } from '../helpers/example-log.js';
import { startPipeline } from '../helpers/pipeline-harness.js';

const TOKEN = '5f1c2d3e-a0b1-4c2d-9e8f-7a6b5c4d3e2f';
const WRONG_TOKEN = '00000000-dead-beef-0000-wrongtoken00';

let input: Buffer;
let validLines: string[];
let dir: TempDir;
const closers: (() => Promise<void>)[] = [];
before(async () => {
  ({ input, validLines } = await readExampleLog());
  dir = await tempDir('ws-credentials-');
});
after(async () => {
  await Promise.all(closers.map((close) => close()));
  await dir.remove();
});

/** Each valid event exactly once, as the original object, with its id. */
function assertEachEventOnce(events: readonly HecEnvelope[], id: string): void {
  const sorted = [...events].sort((a, b) => Number(a.fields?.seq) - Number(b.fields?.seq));
  assert.equal(sorted.length, validLines.length, 'one envelope per valid event');
  assert.equal(new Set(sorted.map((e) => e.fields?.event_id)).size, validLines.length, 'no duplicates');
  for (const [i, envelope] of sorted.entries()) {
    assert.deepEqual(envelope.event, JSON.parse(validLines[i]!), `event ${i} is the original object`);
    assert.equal(envelope.fields?.event_id, `${id}-${i + 1}`);
  }
}

test('wrong token (code 4 / HTTP 403): events kept, loud error naming the sink, exit 75 at a stop; fixed token file delivers all', async () => {
  const hec = await startHecReceiver({ ack: true, token: TOKEN });
  closers.push(() => hec.close());
  const runDir = dir.file('wrong');
  const tokenFile = dir.file('wrong-token');
  await writeFile(tokenFile, `${WRONG_TOKEN}\n`);
  const args = ['--splunk-hec', hec.url, '--splunk-token-file', tokenFile, '--splunk-ack'];

  const first = await startPipeline({ dir: runDir, args: [...args, '--shutdown-timeout', '1s'] });
  let r1;
  try {
    first.write(input); // stdin stays open: the run ends by a stop
    await first.advanceUntil(() => /receiver refuses this sink/.test(first.stderr()), 'the refusal');
    const signalledAt = first.clock.now();
    first.pipeline.stop('SIGTERM');
    r1 = await first.finish();
    assert.ok(first.clock.now() - signalledAt <= 2_000, 'bounded by shutdown_timeout');
  } finally {
    await first.close();
  }
  assert.equal(r1.exitCode, 75, r1.stderr);
  const refused = hec.requests.filter((q) => q.url === '/services/collector/event');
  assert.ok(refused.length >= 1);
  for (const q of refused) assert.equal(q.headers.authorization, `Splunk ${WRONG_TOKEN}`);
  assert.equal(hec.events.length, 0, 'Splunk refused everything (code 4)');
  const error = logLines(r1.stderr).find((l) => l.level === 'error' && l.sink === 'splunk');
  assert.ok(error, `an error-level log naming the sink:\n${r1.stderr}`);
  assert.match(String(error.msg), /refuses this sink.*credentials/);
  assert.match(String(error.reason), /HEC code 4: Invalid token/);
  assert.ok(!r1.stderr.includes(WRONG_TOKEN), 'not even a wrong token is logged');
  const s1 = r1.summary.sinks.splunk;
  assert.deepEqual(
    { delivered: s1?.delivered, rejected: s1?.rejected, pending: s1?.pending },
    { delivered: 0, rejected: 0, pending: 45 },
    'kept, not dead-lettered',
  );
  assert.match(r1.stderr, /not delivered before shutdown.*"splunk":45/);
  const dead = (await readFile(first.deadLetterPath, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  assert.ok(
    dead.every((l) => !l.includes('"sink"')),
    'a credentials problem is never a rejection',
  );

  // The operator fixes the token file; the next start delivers everything kept in the journal.
  await writeFile(tokenFile, `${TOKEN}\n`);
  const second = await startPipeline({ dir: runDir, args });
  try {
    second.end();
    const r2 = await second.finish();
    assert.equal(r2.exitCode, 0, r2.stderr);
    assertEachEventOnce(hec.events, await journalIdOf(`${runDir}/wirety-ship/journal`));
    assert.ok(!r2.stderr.includes(TOKEN));
    assert.equal(r2.summary.sinks.splunk?.delivered, 45);
    assert.equal(r2.summary.sinks.splunk?.pending, 0);
  } finally {
    await second.close();
  }
});

test('a token file fixed while the sink is blocked is used by the very next attempt', async () => {
  const hec = await startHecReceiver({ token: TOKEN });
  closers.push(() => hec.close());
  const tokenFile = dir.file('fix-token');
  await writeFile(tokenFile, `${WRONG_TOKEN}\n`);
  const run = await startPipeline({
    args: ['--splunk-hec', hec.url, '--splunk-token-file', tokenFile],
    configFile: [
      'sinks:',
      '  splunk:',
      '    type: splunk_hec',
      '    batch: { max_wait: 50ms }',
      '    retry: { initial_backoff: 100ms, max_backoff: 1500ms }',
      '',
    ].join('\n'),
  });
  try {
    run.write(input);
    await run.advanceUntil(() => /receiver refuses this sink/.test(run.stderr()), 'the refusal');
    // The sink now waits out its backoff on the clock, which stands still until the test moves
    // it: the fix lands inside that wait, after the post-refusal re-read of the current token.
    const refusedRequests = hec.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(hec.requests.length, refusedRequests, 'no attempt while the clock stands still');
    await writeFile(tokenFile, `${TOKEN}\n`);
    await run.advanceUntil(() => hec.requests.length > refusedRequests, 'the next attempt');
    assert.equal(
      hec.requests[refusedRequests]?.headers.authorization,
      `Splunk ${TOKEN}`,
      'the first attempt after the fix uses the fixed token',
    );
    run.end();
    const result = await run.finish();
    assert.equal(result.exitCode, 0, result.stderr);
    assertEachEventOnce(hec.events, await journalIdOf(`${run.dir}/wirety-ship/journal`));
  } finally {
    await run.close();
  }
});
