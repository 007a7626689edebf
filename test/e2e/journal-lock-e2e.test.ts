/**
 * One journal, one process, through the built CLI: a second wirety-ship on the same data directory
 * is refused at once (exit 74, naming the first's pid) while the first delivers every event exactly
 * once under unique ids; --check-config says the same; a process killed with -9 leaves a lock file
 * that the next start takes over with a warning.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import {
  journalIdOf,
  logLines,
  makeCorpus,
  summaryOf,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';

let dir: TempDir;
let es: BulkReceiver;
before(async () => {
  dir = await tempDir('ws-e2e-lock-');
  es = await startBulkReceiver();
});
after(async () => {
  await es.close();
  await dir.remove();
});

const args = (dataDir: string, deadLetter: string) => [
  '--elasticsearch',
  es.url,
  '--data-dir',
  dataDir,
  '--dead-letter',
  deadLetter,
];

test('a second wirety-ship on the same data directory exits 74 at once; the first delivers everything with unique ids', async () => {
  const dataDir = dir.file('shared-data');
  const corpus = makeCorpus(400, { onlyValid: true });
  const half = corpus.lines.length / 2;
  const first = startCli(args(dataDir, dir.file('first-dead.ndjson')), { cwd: dir.path, timeoutMs: 60_000 });
  try {
    await first.waitForStderr(/"msg":"wirety-ship started"/, 30_000);
    first.child.stdin.write(corpus.lines.slice(0, half).join('\n') + '\n');

    // Different events, same directory: before the lock, both handed out seqs 1..n under one
    // journal id, and Elasticsearch answered 409 ("already stored") to the second's events.
    const other = makeCorpus(20, { onlyValid: true }).input.replaceAll('peer-', 'other-peer-');
    const startedAt = Date.now();
    const second = await runCli(args(dataDir, dir.file('second-dead.ndjson')), other, {
      cwd: dir.path,
      timeoutMs: 30_000,
    });
    const tookMs = Date.now() - startedAt;
    assert.equal(second.timedOut, false);
    assert.equal(second.code, 74, second.stderr);
    assert.equal(first.child.exitCode, null, 'the second did not wait for the first to finish');
    // Node's own start-up dominates on a loaded machine; no lock wait or retry is in there.
    assert.ok(tookMs < 15_000, `the second took ${tookMs} ms`);
    const refusal = logLines(second.stderr).find((l) => l.level === 'error');
    assert.match(
      String(refusal?.msg),
      new RegExp(`^cannot start: another wirety-ship \\(pid ${first.child.pid}\\b[^)]*\\) uses ${dataDir}$`),
    );
    assert.equal(existsSync(dir.file('second-dead.ndjson')), false, 'the refused run created nothing');

    const check = await runCli([...args(dataDir, dir.file('check-dead.ndjson')), '--check-config'], '', {
      cwd: dir.path,
      timeoutMs: 30_000,
    });
    assert.equal(check.code, 74, check.stderr);
    assert.match(
      check.stderr,
      new RegExp(`buffer\\.data_dir: another wirety-ship \\(pid ${first.child.pid}\\b`),
    );

    first.child.stdin.end(corpus.lines.slice(half).join('\n') + '\n');
    const result = await first.result;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(summaryOf(result.stderr).sinks.elasticsearch?.delivered, corpus.counts.valid);
  } finally {
    first.child.kill('SIGKILL');
    await first.result;
  }

  const journalId = await journalIdOf(dataDir);
  const ids = [...es.documents.values()].map((d) => (d.wirety_ship as { event_id: string }).event_id);
  assert.equal(ids.length, corpus.counts.valid, 'every event stored, none lost to a 409');
  assert.equal(new Set(ids).size, ids.length, 'unique ids');
  assert.ok(ids.every((id) => id.startsWith(`${journalId}-`)));
  assert.equal(Math.max(...es.sendCounts().values()), 1, 'no event sent twice');
  const stored = new Set([...es.documents.values()].map((d) => d.peer_id));
  assert.ok(![...stored].some((p) => String(p).includes('other-peer-')), "none of the refused run's events");
  assert.equal(existsSync(`${dataDir}/lock`), false, 'a clean exit removes the lock file');
});

test('a lock left by a process killed with -9 is taken over by the next start, with a warning naming it', async () => {
  const dataDir = dir.file('killed-data');
  const first = startCli(args(dataDir, dir.file('killed-dead.ndjson')), { cwd: dir.path, timeoutMs: 60_000 });
  await first.waitForStderr(/"msg":"wirety-ship started"/, 30_000);
  first.child.kill('SIGKILL');
  assert.equal((await first.result).signal, 'SIGKILL');
  const left = JSON.parse(await readFile(`${dataDir}/lock`, 'utf8')) as { pid: number };
  assert.equal(left.pid, first.child.pid, 'the killed process left its lock file');

  const corpus = makeCorpus(10, { onlyValid: true });
  const next = await runCli(args(dataDir, dir.file('killed-dead.ndjson')), corpus.input, {
    cwd: dir.path,
    timeoutMs: 30_000,
  });
  assert.equal(next.code, 0, next.stderr);
  const takeover = logLines(next.stderr).find((l) => /taking over the lock/.test(String(l.msg)));
  assert.ok(takeover, next.stderr);
  assert.equal(takeover.level, 'warn');
  assert.equal(takeover.previous_pid, first.child.pid);
});
