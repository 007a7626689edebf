/**
 * A hint on stderr, once, when stdin is a terminal; nothing when stdin is a pipe. The terminal
 * case runs the built CLI under a real pseudo-terminal (util-linux `script`), whose stdin is then
 * closed, which the pseudo-terminal passes on as end of input (Ctrl-D).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { hintIfTerminal, STDIN_HINT } from '../../src/stdin-hint.js';
import { CLI, runCli } from '../helpers/run-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-tty-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** Runs the CLI with stdin, stdout and stderr on a pseudo-terminal; returns all it printed. */
function runOnTerminal(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', TERM: 'dumb' },
  });
  child.stdin.end();
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const args = () => ['--buffer', 'memory', '--dead-letter', path.join(dir, 'dead.ndjson')];

test(
  'stdin on a terminal: the hint is printed once, on stderr, and the run goes on',
  { skip: !hasScript && 'util-linux script is not installed' },
  async () => {
    const { code, output } = await runOnTerminal(args());
    assert.equal(code, 0, output);
    assert.equal(occurrences(output, `wirety-ship: ${STDIN_HINT}`), 1, output);
    assert.match(output, /wirety-ship summary: lines_read=0/);
  },
);

test('stdin on a pipe: no hint', async () => {
  const r = await runCli(args(), '', { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(occurrences(r.stderr, 'a terminal'), 0, r.stderr);
});

test('the decision: only a TTY stdin gets the hint; JSON logs get it as a log entry', () => {
  const written: string[] = [];
  const logger = createMemoryLogger();
  const target = (format: 'json' | 'text') => ({ format, logger, write: (t: string) => written.push(t) });
  assert.equal(hintIfTerminal({}, target('text')), false);
  assert.equal(hintIfTerminal({ isTTY: false }, target('text')), false);
  assert.deepEqual(written, []);
  assert.equal(hintIfTerminal({ isTTY: true }, target('text')), true);
  assert.deepEqual(written, [`wirety-ship: ${STDIN_HINT}\n`]);
  assert.equal(hintIfTerminal({ isTTY: true }, target('json')), true);
  assert.deepEqual(
    logger.entries.map((e) => [e.level, e.message]),
    [['info', STDIN_HINT]],
  );
  assert.match(
    STDIN_HINT,
    /pipe wirety's output in, e\.g\. `AUDIT_LOG=true wirety-server \| wirety-ship`, or see --help/,
  );
});
