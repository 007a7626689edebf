// examples/wirety-server.log must classify to exactly the counts published in
// docs/audit-events.md: the lead's end-to-end test relies on the same numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClassifier } from '../../src/audit/classify.js';
import { CATALOGUE } from '../../src/audit/catalogue.js';

const EXPECTED = { lines: 60, valid: 45, unknownAction: 2, not_audit: 8, not_json: 1, empty: 2, invalid: 4 };

const text = readFileSync(new URL('../../examples/wirety-server.log', import.meta.url), 'utf8');
const lines = text.split('\n');
assert.equal(lines.pop(), '', 'the file ends with a newline');

void describe('examples/wirety-server.log', () => {
  const classify = createClassifier();
  const results = lines.map((line) => classify(line));

  void it('has the documented counts', () => {
    const counts = {
      lines: lines.length,
      valid: 0,
      unknownAction: 0,
      not_audit: 0,
      not_json: 0,
      empty: 0,
      invalid: 0,
    };
    for (const r of results) {
      counts[r.verdict]++;
      if (r.verdict === 'valid' && !r.knownAction) counts.unknownAction++;
    }
    assert.deepEqual(counts, EXPECTED);
  });

  void it('matches the count table in docs/audit-events.md', () => {
    const doc = readFileSync(new URL('../../docs/audit-events.md', import.meta.url), 'utf8');
    const cell = (label: string) => Number(new RegExp(`^\\| ${label} +\\| (\\d+) `, 'm').exec(doc)?.[1]);
    assert.deepEqual(
      {
        lines: cell('lines'),
        valid: cell('valid'),
        unknownAction: cell('of which unknown action'),
        not_audit: cell('not_audit'),
        not_json: cell('not_json'),
        empty: cell('empty'),
        invalid: cell('invalid'),
      },
      EXPECTED,
    );
  });

  void it('contains every catalogue action as a valid line', () => {
    const seen = new Set(results.flatMap((r) => (r.verdict === 'valid' ? [r.event.action] : [])));
    assert.deepEqual(
      CATALOGUE.map((s) => s.action).filter((a) => !seen.has(a)),
      [],
    );
  });

  void it('contains each kind of broken line the docs promise', () => {
    const problems = results.flatMap((r) => (r.verdict === 'invalid' ? [r.path] : []));
    assert.deepEqual(problems.sort(), ['/actor_type', '/peer_id', '/rule_count', '/time']);
    const empty = results.flatMap((r, i) => (r.verdict === 'empty' ? [lines[i]] : []));
    assert.deepEqual(empty, ['', '   '], 'an empty and a whitespace-only line');
    const unknown = results.flatMap((r) => (r.verdict === 'valid' && !r.knownAction ? [r.event.action] : []));
    assert.deepEqual(unknown, ['peer.frobnicate', 'user.create']);
  });

  void it('has non-decreasing times on its valid audit lines', () => {
    const times = results.flatMap((r) => (r.verdict === 'valid' ? [r.event.time] : []));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });

  void it('is valid UTF-8 with no BOM and no carriage returns', () => {
    const bytes = readFileSync(new URL('../../examples/wirety-server.log', import.meta.url));
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(bytes), text);
    assert.notEqual(bytes[0], 0xef);
    assert.equal(text.includes('\r'), false);
  });
});
