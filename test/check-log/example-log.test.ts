/**
 * `wirety-ship check` on the example log (examples/wirety-server.log, described line by line in
 * docs/audit-events.md "The example log") prints exactly the output README.md documents, and the
 * counts and line numbers of that table.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { documentedOutput, EXAMPLE, runCheck, runCheckJson } from './run-check.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('the example log: exactly the output README.md documents, exit 1', async () => {
  const result = await runCheck([path.join(root, EXAMPLE)]);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.replaceAll(path.join(root, EXAMPLE), EXAMPLE), documentedOutput());
});

test('the example log: the counts and line numbers of docs/audit-events.md', async () => {
  const { code, report } = await runCheckJson([path.join(root, EXAMPLE)]);
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.equal(report.lines, 60);
  assert.deepEqual(report.verdicts, { valid: 45, invalid: 4, not_json: 1, not_audit: 8, empty: 2 });
  assert.deepEqual(
    report.unknown_actions.actions.map((u) => [u.action, u.count, u.first.line]),
    [
      ['peer.frobnicate', 1, 35],
      ['user.create', 1, 57],
    ],
  );
  assert.deepEqual(
    report.findings.map((f) => [f.line, f.reason, f.path, f.action]),
    [
      [36, 'not_json', undefined, undefined],
      [37, 'invalid', '/rule_count', 'firewall.sync'],
      [39, 'invalid', '/peer_id', 'peer.delete'],
      [41, 'invalid', '/actor_type', 'peer.update'],
      [49, 'invalid', '/time', 'config.sync'],
    ],
  );
  assert.equal(report.findings_total, 5);
});

test('the example log under audit.unknown_actions: dead_letter: its two unknown actions are invalid too', async () => {
  const { report } = await runCheckJson(['--unknown-actions', 'dead_letter', path.join(root, EXAMPLE)]);
  assert.deepEqual(report.verdicts, { valid: 43, invalid: 6, not_json: 1, not_audit: 8, empty: 2 });
  assert.deepEqual(report.invalid_reasons, {
    invalid: 4,
    too_deep: 0,
    line_too_long: 0,
    invalid_utf8: 0,
    unknown_action: 2,
  });
  assert.deepEqual(
    report.findings.filter((f) => f.reason === 'unknown_action').map((f) => [f.line, f.action]),
    [
      [35, 'peer.frobnicate'],
      [57, 'user.create'],
    ],
  );
});
