/**
 * `check` frames and classifies every line as the shipper's stdin input does (line-framer.ts,
 * classify.ts, ingest.ts): over-long lines and invalid UTF-8 are invalid with their line numbers,
 * a BOM and CRLF are not part of the line, truncated JSON is not_json, a wrong field type and a
 * too deep line are invalid with their field, an unknown action is valid (or invalid under
 * dead_letter), an empty line is empty.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { checkLogs } from '../../src/check-log/run-check-log.js';
import { LINES, runCheckJson } from './run-check.js';

test('invalid UTF-8 is invalid (invalid_utf8) at its line; the lines around it are unaffected', async () => {
  const input = Buffer.concat([
    Buffer.from(LINES.server + '\n'),
    Buffer.from('{"level":"info","message":"caf'),
    Buffer.from([0xc3, 0x28]), // a broken two-byte sequence
    Buffer.from('"}\n' + LINES.agent + '\n'),
  ]);
  const { code, report } = await runCheckJson([], input);
  assert.equal(code, 1);
  assert.deepEqual(report.verdicts, { valid: 2, invalid: 1, not_json: 0, not_audit: 0, empty: 0 });
  assert.equal(report.invalid_reasons.invalid_utf8, 1);
  assert.deepEqual(
    report.findings.map((f) => [f.source, f.line, f.byte_offset, f.reason]),
    [['stdin', 2, LINES.server.length + 1, 'invalid_utf8']],
  );
});

test('a 10 MB line over max_line_bytes is invalid (line_too_long) with its real length, streamed in chunks', async () => {
  const long = '{"level":"info","log_type":"audit","pad":"' + 'x'.repeat(10 * 1024 * 1024) + '"}';
  // 64 KiB chunks, as a file or pipe delivers them: the framer never holds the whole line.
  const whole = Buffer.from(`${LINES.server}\n${long}\n${LINES.agent}\n`);
  const chunks = function* () {
    for (let at = 0; at < whole.length; at += 65536) yield whole.subarray(at, at + 65536);
  };
  const tally = await checkLogs(
    [],
    { maxLineBytes: 256 * 1024, maxDepth: 64, unknownActions: 'forward', maxListed: 1000 },
    Readable.from(chunks()),
  );
  assert.equal(tally.lines, 3);
  assert.deepEqual(tally.verdicts, { valid: 2, invalid: 1, not_json: 0, not_audit: 0, empty: 0 });
  assert.equal(tally.invalidReasons.line_too_long, 1);
  const [finding] = tally.findings;
  assert.equal(finding?.line, 2);
  assert.equal(finding?.detail, `line is ${Buffer.byteLength(long)} bytes, over max_line_bytes (262144)`);
});

test('--max-line-bytes: the same line is fine under a larger limit, too long under a smaller one', async () => {
  const input = LINES.server + '\n';
  assert.equal((await runCheckJson(['--max-line-bytes', '1KiB'], input)).report.verdicts.valid, 1);
  const small = await runCheckJson(['--max-line-bytes', '100'], input);
  assert.equal(small.code, 1);
  assert.deepEqual(
    small.report.findings.map((f) => [f.line, f.reason]),
    [[1, 'line_too_long']],
  );
});

test('a BOM and CRLF line ends are not part of the line: such audit lines are valid', async () => {
  const input = '\uFEFF' + LINES.server + '\r\n' + LINES.agent + '\r\n\r\n' + LINES.wrongType + '\r\n';
  const { code, report } = await runCheckJson([], input);
  assert.equal(code, 1);
  assert.equal(report.lines, 4);
  assert.deepEqual(report.verdicts, { valid: 2, invalid: 1, not_json: 0, not_audit: 0, empty: 1 });
  assert.deepEqual(
    report.findings.map((f) => [f.line, f.path]),
    [[4, '/rule_count']],
  );
});

test('truncated JSON is not_json (listed, dead-lettered by the shipper) and does not fail the check', async () => {
  const { code, report } = await runCheckJson([], `${LINES.server}\n${LINES.truncated}\n`);
  assert.equal(code, 0);
  assert.equal(report.ok, true);
  assert.deepEqual(report.verdicts, { valid: 1, invalid: 0, not_json: 1, not_audit: 0, empty: 0 });
  assert.deepEqual(
    report.findings.map((f) => [f.line, f.verdict, f.reason]),
    [[2, 'not_json', 'not_json']],
  );
});

test('a wrong field type is invalid with its field, reason and action', async () => {
  const { code, report } = await runCheckJson([], `${LINES.ordinary}\n${LINES.wrongType}\n`);
  assert.equal(code, 1);
  assert.deepEqual(report.findings, [
    {
      source: 'stdin',
      line: 2,
      byte_offset: LINES.ordinary.length + 1,
      verdict: 'invalid',
      reason: 'invalid',
      path: '/rule_count',
      detail: 'must be integer, got string "12"',
      action: 'firewall.sync',
    },
  ]);
});

test('an unknown action: valid and counted (forward), invalid with --unknown-actions dead_letter', async () => {
  const input = `${LINES.unknownAction}\n${LINES.unknownAction}\n${LINES.server}\n`;
  const forward = await runCheckJson([], input);
  assert.equal(forward.code, 0);
  assert.deepEqual(forward.report.verdicts, { valid: 3, invalid: 0, not_json: 0, not_audit: 0, empty: 0 });
  assert.deepEqual(forward.report.unknown_actions, {
    lines: 2,
    actions: [{ action: 'user.create', count: 2, first: { source: 'stdin', line: 1 } }],
  });
  const dead = await runCheckJson(['--unknown-actions', 'dead_letter'], input);
  assert.equal(dead.code, 1);
  assert.deepEqual(dead.report.verdicts, { valid: 1, invalid: 2, not_json: 0, not_audit: 0, empty: 0 });
  assert.deepEqual(
    dead.report.findings.map((f) => [f.line, f.reason, f.action]),
    [
      [1, 'unknown_action', 'user.create'],
      [2, 'unknown_action', 'user.create'],
    ],
  );
});

test('empty and whitespace-only lines are empty; an unterminated last line still counts', async () => {
  const { report } = await runCheckJson([], `\n   \n${LINES.server}`);
  assert.equal(report.lines, 3);
  assert.deepEqual(report.verdicts, { valid: 1, invalid: 0, not_json: 0, not_audit: 0, empty: 2 });
});

test('--max-depth: an audit line nested deeper is invalid (too_deep) with its field', async () => {
  const deep = LINES.server.replace('"peer_name":"web"', '"peer_name":{"a":{"b":[1]}}');
  const { report } = await runCheckJson(['--max-depth', '3'], `${deep}\n`);
  assert.deepEqual(
    report.findings.map((f) => [f.line, f.reason, f.path]),
    [[1, 'too_deep', '/peer_name']],
  );
  // Under the default (64) the same line reaches the schema, which wants a string.
  const { report: schema } = await runCheckJson([], `${deep}\n`);
  assert.deepEqual(
    schema.findings.map((f) => [f.reason, f.path]),
    [['invalid', '/peer_name']],
  );
});
