// The bench corpus is deterministic, shaped like wirety output in the stated proportions, and
// writeCorpus writes exactly corpusLines to disk with truthful totals.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { corpusLines, writeCorpus } from '../../bench/corpus.js';
import { createClassifier } from '../../src/audit/classify.js';
import { CATALOGUE } from '../../src/audit/catalogue.js';

const classify = createClassifier();

void describe('bench corpus', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wirety-corpus-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('is deterministic for a seed and differs between seeds', () => {
    const a = [...corpusLines(2000, 42)];
    assert.deepEqual([...corpusLines(2000, 42)], a);
    assert.notDeepEqual([...corpusLines(2000, 43)], a);
    assert.deepEqual([...corpusLines(500, 42)], a.slice(0, 500), 'a prefix does not depend on count');
  });

  void it('has ≈85 % valid, ≈12 % other JSON, ≈3 % broken (±1 %), realistic sizes, every action', () => {
    const n = 100_000;
    const counts = { valid: 0, not_audit: 0, not_json: 0, empty: 0, invalid: 0 };
    const actions = new Set<string>();
    let validBytes = 0;
    let unknown = 0;
    let lastTime = 0;
    for (const line of corpusLines(n, 7)) {
      const r = classify(line);
      counts[r.verdict]++;
      if (r.verdict === 'valid') {
        actions.add(r.event.action);
        validBytes += Buffer.byteLength(line);
        if (!r.knownAction) unknown++;
        assert.ok(r.event.time >= lastTime, 'times never decrease');
        lastTime = r.event.time;
      }
    }
    const share = (k: number) => k / n;
    assert.ok(Math.abs(share(counts.valid) - 0.85) <= 0.01, `valid ${share(counts.valid)}`);
    assert.ok(Math.abs(share(counts.not_audit) - 0.12) <= 0.01, `not_audit ${share(counts.not_audit)}`);
    const broken = share(counts.not_json + counts.invalid);
    assert.ok(Math.abs(broken - 0.03) <= 0.01, `broken ${broken}`);
    assert.ok(counts.not_json > 0 && counts.invalid > 0, 'both truncated and mistyped lines');
    assert.ok(unknown > 0 && unknown < counts.valid * 0.01, `unknown actions ${unknown}`);
    const mean = validBytes / counts.valid;
    assert.ok(mean >= 200 && mean <= 350, `mean valid line ${mean} bytes`);
    for (const spec of CATALOGUE) assert.ok(actions.has(spec.action), spec.action);
  });

  void it('writeCorpus writes exactly corpusLines, newline-terminated, and reports true totals', async () => {
    const path = join(dir, 'c.ndjson');
    const result = await writeCorpus(path, 5000, 3);
    const text = readFileSync(path, 'utf8');
    const expected = [...corpusLines(5000, 3)];
    assert.equal(text, expected.join('\n') + '\n');
    assert.equal(result.lines, 5000);
    assert.equal(result.bytes, Buffer.byteLength(text));
    const valid = expected.filter((line) => classify(line).verdict === 'valid').length;
    assert.equal(result.audit, valid);
  });

  void it('runs as a script: OUT_PATH COUNT', async () => {
    const path = join(dir, 'script.ndjson');
    const script = fileURLToPath(new URL('../../bench/corpus.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, path, '1000']);
    const report = JSON.parse(stdout) as { lines: number; bytes: number; audit: number };
    assert.equal(report.lines, 1000);
    assert.equal(readFileSync(path, 'utf8'), [...corpusLines(1000)].join('\n') + '\n');
  });

  void it('as a script, refuses a bad COUNT with a usage message and exit code 2', async () => {
    const script = fileURLToPath(new URL('../../bench/corpus.ts', import.meta.url));
    await assert.rejects(
      promisify(execFile)(process.execPath, ['--import', 'tsx', script, join(dir, 'x'), 'many']),
      (err: { code?: number; stderr?: string }) => err.code === 2 && /usage/.test(err.stderr ?? ''),
    );
  });
});
