/**
 * The built CLI (dist/cli.js, as users run it): `wirety-ship check` is dispatched before the
 * shipper's configuration is loaded, prints the README's output for the example log, reads stdin,
 * and exits 1 / 0 / 74. Needs `npm run build` first (test:unit builds).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';
import { documentedOutput, EXAMPLE, LINES } from './run-check.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('wirety-ship check examples/wirety-server.log: the README output, exit 1', async () => {
  const result = await runCli(['check', EXAMPLE], '', { cwd: root });
  assert.equal(result.timedOut, false);
  assert.equal(result.stderr, '');
  assert.equal(result.stdout.toString(), documentedOutput());
  assert.equal(result.code, 1);
});

test('wirety-ship check reads stdin; shipper flags and variables play no part', async () => {
  // A shipper variable that would be a configuration error for a run is not read by `check`.
  const result = await runCli(['check', '--json'], `${LINES.server}\n${LINES.ordinary}\n`, {
    cwd: root,
    env: { WIRETY_SHIP_UNKNOWN_ACTIONS: 'nonsense' },
  });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  const report = JSON.parse(result.stdout.toString()) as { ok: boolean; lines: number };
  assert.equal(report.ok, true);
  assert.equal(report.lines, 2);
});

test('wirety-ship check on a missing file: exit 74 and the file named', async () => {
  const result = await runCli(['check', 'no-such.log'], '', { cwd: root });
  assert.equal(result.code, 74);
  assert.equal(result.stdout.length, 0);
  assert.equal(result.stderr, 'wirety-ship check: cannot read no-such.log: no such file\n');
});
