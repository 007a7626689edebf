/**
 * `wirety-ship check`'s arguments, inputs and exit codes: stdin (no file or "-"), several files
 * (counts are totals, each finding names its file and its line in that file), the --json shape,
 * the listing cap with exact counts, and 0 / 1 / 78 / 74.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runCheckLog } from '../../src/commands/check-log.js';
import { LINES, runCheck, runCheckJson } from './run-check.js';

let dir: string;
let good: string;
let bad: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'check-log-'));
  good = path.join(dir, 'good.log');
  bad = path.join(dir, 'bad.log');
  await writeFile(good, `${LINES.ordinary}\n${LINES.server}\n${LINES.agent}\n`);
  await writeFile(bad, `${LINES.server}\n${LINES.wrongType}\n${LINES.truncated}\n${LINES.wrongType}\n`);
});
after(() => rm(dir, { recursive: true, force: true }));

test('no file, or "-": standard input', async () => {
  const input = `${LINES.server}\n${LINES.wrongType}\n`;
  for (const args of [[], ['-']]) {
    const { code, report } = await runCheckJson(args, input);
    assert.equal(code, 1, `args ${JSON.stringify(args)}`);
    assert.deepEqual(report.inputs, ['stdin']);
    assert.deepEqual(
      report.findings.map((f) => [f.source, f.line]),
      [['stdin', 2]],
    );
  }
});

test('several files (and stdin among them): totals, and each finding names its file and line', async () => {
  const { code, report } = await runCheckJson([good, bad, '-'], `${LINES.wrongType}\n`);
  assert.equal(code, 1);
  assert.deepEqual(report.inputs, [good, bad, 'stdin']);
  assert.equal(report.lines, 8);
  assert.deepEqual(report.verdicts, { valid: 3, invalid: 3, not_json: 1, not_audit: 1, empty: 0 });
  assert.deepEqual(
    report.findings.map((f) => [f.source, f.line, f.reason]),
    [
      [bad, 2, 'invalid'],
      [bad, 3, 'not_json'],
      [bad, 4, 'invalid'],
      ['stdin', 1, 'invalid'],
    ],
  );
});

test('a file named twice is read twice, from its start', async () => {
  const { report } = await runCheckJson([good, good]);
  assert.equal(report.lines, 6);
  assert.equal(report.verdicts.valid, 4);
});

test('the --json shape', async () => {
  const { report, stderr } = await runCheckJson([bad]);
  assert.equal(stderr, '');
  assert.deepEqual(Object.keys(report), [
    'ok',
    'inputs',
    'lines',
    'verdicts',
    'invalid_reasons',
    'unknown_actions',
    'findings_total',
    'findings',
    'settings',
  ]);
  assert.equal(report.ok, false);
  assert.deepEqual(report.invalid_reasons, {
    invalid: 2,
    too_deep: 0,
    line_too_long: 0,
    invalid_utf8: 0,
    unknown_action: 0,
  });
  assert.deepEqual(report.unknown_actions, { lines: 0, actions: [] });
  assert.deepEqual(report.findings[0], {
    source: bad,
    line: 2,
    byte_offset: LINES.server.length + 1,
    verdict: 'invalid',
    reason: 'invalid',
    path: '/rule_count',
    detail: 'must be integer, got string "12"',
    action: 'firewall.sync',
  });
  assert.deepEqual(report.settings, {
    max_line_bytes: 262144,
    max_depth: 64,
    unknown_actions: 'forward',
    max_listed: 1000,
  });
});

test('--max-listed caps the listing; the counts stay exact', async () => {
  const input = `${LINES.wrongType}\n`.repeat(5);
  const { report } = await runCheckJson(['--max-listed', '2'], input);
  assert.equal(report.verdicts.invalid, 5);
  assert.equal(report.findings_total, 5);
  assert.deepEqual(
    report.findings.map((f) => f.line),
    [1, 2],
  );
  const text = await runCheck(['--max-listed', '2'], input);
  assert.match(text.stdout, /^invalid +5 /m);
  assert.match(text.stdout, /^lines the shipper dead-letters \(5\):$/m);
  assert.match(text.stdout, /^… and 3 more \(listed the first 2; --max-listed N shows more\)$/m);
  assert.equal(text.stdout.match(/^stdin:\d+: /gm)?.length, 2);
});

test('exit 0 and "no invalid audit line" when nothing is invalid', async () => {
  const { code, stdout, stderr } = await runCheck([good]);
  assert.equal(code, 0);
  assert.equal(stderr, '');
  assert.match(stdout, /^checked 3 lines in .*good\.log$/m);
  assert.match(stdout, /^result: no invalid audit line$/m);
});

test('a missing file: exit 74, named on stderr, and no report', async () => {
  const missing = path.join(dir, 'nope.log');
  const { code, stdout, stderr } = await runCheck([good, missing, path.join(dir, 'nope2.log')]);
  assert.equal(code, 74);
  assert.equal(stdout, '');
  assert.equal(
    stderr,
    `wirety-ship check: cannot read ${missing}: no such file\n` +
      `wirety-ship check: cannot read ${path.join(dir, 'nope2.log')}: no such file\n`,
  );
});

test('a directory: exit 74 with its reason', async () => {
  const { code, stdout, stderr } = await runCheck([dir]);
  assert.equal(code, 74);
  assert.equal(stdout, '');
  assert.equal(stderr, `wirety-ship check: cannot read ${dir}: is a directory, not a log file\n`);
});

test('usage errors exit 78 with a message; --help exits 0', async () => {
  for (const [args, message] of [
    [['--max-line-bytes', '10K'], /ambiguous: write 10kB .* or 10KiB/],
    [['--max-depth', '0'], /must be a whole number from 1 to 1000/],
    [['--unknown-actions', 'drop'], /Allowed choices are forward, dead_letter/],
    [['--max-listed', '-1'], /unknown option|must be a whole number/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [['-', '-'], /"-" \(standard input\) can be named only once/],
  ] as const) {
    const { code, stdout, stderr } = await runCheck(args, `${LINES.server}\n`);
    assert.equal(code, 78, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.match(stderr, message);
  }
  const help = await runCheck(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: wirety-ship check \[options\] \[file\.\.\.\]/);
  assert.match(help.stdout, /--unknown-actions <policy>/);
});

test('stdin in a terminal: a hint on stderr, so a bare `wirety-ship check` does not wait silently', async () => {
  let stderr = '';
  let stdout = '';
  const terminal = Object.assign(Readable.from([Buffer.from(`${LINES.server}\n`)]), { isTTY: true });
  const code = await runCheckLog([], {
    stdin: terminal,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  assert.equal(code, 0);
  assert.match(stderr, /reading standard input \(end it with Ctrl-D/);
  assert.match(stdout, /^checked 1 line in stdin$/m);
  // Not for a pipe, and not when only files are read.
  assert.equal((await runCheck([], `${LINES.server}\n`)).stderr, '');
});
