/**
 * The built CLI dispatches `wirety-ship verify` before any configuration is loaded: an export
 * verifies with the key from the variable, and a cut-off export fails with exit 1.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { chainJournal, KEY_HEX, loki } from './synthetic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'verify-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('wirety-ship verify --from … --format loki', async () => {
  const journal = chainJournal({ last: 30 });
  const whole = path.join(dir, 'whole.jsonl');
  writeFileSync(whole, [...journal.events.map(loki.line), loki.checkpoint(journal.checkpoint())].join('\n'));
  const env = { WIRETY_SHIP_INTEGRITY_KEY: KEY_HEX };
  const ok = await runCli(['verify', '--from', whole, '--format', 'loki'], '', { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout.toString(),
    /^all 30 events from journal j-3f9c0000 seq 1–30 present and unaltered$/m,
  );
  const cut = path.join(dir, 'cut.jsonl');
  writeFileSync(
    cut,
    [...journal.events.slice(0, 25).map(loki.line), loki.checkpoint(journal.checkpoint())].join('\n'),
  );
  const failed = await runCli(['verify', '--from', cut, '--format', 'loki'], '', { env });
  assert.equal(failed.code, 1);
  assert.match(failed.stdout.toString(), /^MISSING {3}seq 26–30 \(5 events, after 2026-11-30T10:00:25Z; /m);
  assert.doesNotMatch(failed.stdout.toString() + failed.stderr, new RegExp(KEY_HEX));
});
