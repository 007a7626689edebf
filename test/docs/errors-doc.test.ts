/** docs/errors.md lists every code of the error catalogue (src/errors.ts) with its exit code, and no other. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../../src/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');

test('docs/errors.md has one row per error code, with its exit code', () => {
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `(WS_ERR_\w+)` \|[^|]*\| ([^|]*) \|/gm))
    rows.set(match[1]!, match[2]!.trim());
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERRORS).sort());
  for (const [code, entry] of Object.entries(ERRORS)) {
    const exit = 'exit' in entry ? String(entry.exit) : '—';
    assert.equal(rows.get(code), exit, `${code}: exit code`);
  }
});

test('the README links the error codes', () => {
  assert.match(readFileSync(path.join(root, 'README.md'), 'utf8'), /\(docs\/errors\.md\)/);
});
