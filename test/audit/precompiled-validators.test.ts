/**
 * The validators `npm run build` writes as code (scripts/precompile-validators.ts) give the same
 * verdicts and the same error objects as ajv compiling at run time: describe-error.ts and
 * config/validate.ts turn those objects into the messages operators read, so they must not change.
 * And a compiled module stands in only when its fingerprint matches (audit/precompiled.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { corpusLines } from '../../bench/corpus.js';
import { compiledModules } from '../../scripts/precompile-validators.js';
import { fingerprint, loadCompiled, type CompiledModule } from '../../src/audit/precompiled.js';
import {
  auditDefinitionNames,
  auditFingerprint,
  compileAuditSchema,
  defaultSchemaPath,
  readAuditSchema,
} from '../../src/audit/schema.js';
import { compileConfigSchema, configFingerprint } from '../../src/config/validate.js';
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';

const dir = mkdtempSync(path.join(tmpdir(), 'wirety-precompiled-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const modules = compiledModules();
const require = createRequire(import.meta.url);
function written(name: string): CompiledModule {
  const file = path.join(dir, name.replace('/', '-'));
  writeFileSync(file, modules[name] as string);
  return require(file) as CompiledModule;
}

/** What a run sees of a verdict: true/false and the errors, as plain data (no TypeBox symbols). */
function outcome(validate: ValidateFunction, data: unknown) {
  const valid = validate(data);
  return { valid, data, errors: JSON.parse(JSON.stringify(validate.errors ?? null)) as unknown };
}

describe('audit-event validators compiled at build time', () => {
  const schema = readAuditSchema();
  const runtime = compileAuditSchema(schema, defaultSchemaPath);
  const compiled = written('audit/schema.compiled.cjs');

  it('carry the fingerprint of the published schema and export every definition', () => {
    assert.equal(compiled.fingerprint, auditFingerprint(schema));
    for (const name of auditDefinitionNames()) assert.equal(typeof compiled[name], 'function', name);
  });

  it('give the same verdicts and error objects over the bench corpus and the example log', () => {
    const lines = [
      ...corpusLines(20_000, 7),
      ...readFileSync(new URL('../../examples/wirety-server.log', import.meta.url), 'utf8').split('\n'),
    ];
    let invalid = 0;
    let checked = 0;
    for (const line of lines) {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (event === null || typeof event !== 'object' || event.log_type !== 'audit') continue;
      // Every definition a line could meet: its action's, and both catch-alls.
      const names = [
        ...(typeof event.action === 'string' ? [event.action] : []),
        'server-event',
        'agent-event',
      ];
      for (const name of names.filter((n) => compiled[n] !== undefined)) {
        const expected = outcome(runtime.definition(name), structuredClone(event));
        assert.deepEqual(outcome(compiled[name] as ValidateFunction, structuredClone(event)), expected, line);
        if (!expected.valid) invalid++;
        checked++;
      }
    }
    assert.ok(checked > 50_000 && invalid > 1_000, `only ${checked} checks, ${invalid} refusals`);
  });
});

describe('config validator compiled at build time', () => {
  const runtime = compileConfigSchema().validate;
  const compiled = written('config/file-schema.compiled.cjs');
  const trees: unknown[] = [
    {},
    { sinks: { main: { type: 'loki', url: 'http://loki:3100', labels: { app: 'x' } } } },
    { sinks: { main: { type: 'lokki', url: 'http://loki:3100' } } },
    { sinks: { main: { url: 'http://loki:3100' } } },
    { sinks: { 'Bad Name': { type: 'stdout' } } },
    {
      sinks: {
        es: { type: 'elasticsearch', url: 'https://es:9200', index: 7, batch: { max_events: '500' } },
      },
    },
    { sinks: { s: { type: 'splunk_hec', url: 'https://s:8088', ack: 'true', unknown_key: 1 } } },
    { inputs: { f: { type: 'file', paths: ['/var/log/*.log'], format: 'json' } } },
    { inputs: { f: { type: 'forward', address: '127.0.0.1:24224' } }, input: { max_depth: '7x' } },
    { buffer: { type: 'disk', fsync: 'sometimes', max_bytes: '1GiB' }, log: { level: 'loud' } },
    { buffer: { type: 'memory' }, metrics: { address: 9431 }, dead_letter: { max_files: -1 } },
    { unknown: true, log: { progress_interval: '10 minutes' } },
    { sinks: [] },
    { sinks: { x: 'loki' } },
  ];

  it('carries the fingerprint of fileSchema with every kind registered', () => {
    assert.equal(compiled.fingerprint, configFingerprint());
  });

  it('gives the same verdicts, error objects and coerced values', () => {
    let refused = 0;
    for (const tree of trees) {
      const expected = outcome(runtime, structuredClone(tree));
      assert.deepEqual(outcome(compiled.validate as ValidateFunction, structuredClone(tree)), expected);
      if (!expected.valid) refused++;
    }
    assert.ok(refused >= 10, `only ${refused} trees refused`);
  });
});

describe('loadCompiled', () => {
  const base = pathToFileURL(path.join(dir, 'user.js')).href;
  const expected = fingerprint({ strict: true }, { type: 'string' }, ['validate']);
  writeFileSync(
    path.join(dir, 'matching.cjs'),
    `exports.validate = () => true;\nexports.fingerprint = ${JSON.stringify(expected)};\n`,
  );
  writeFileSync(path.join(dir, 'broken.cjs'), 'exports.validate = (;\n');

  it('uses a module whose fingerprint matches', () => {
    assert.equal(typeof loadCompiled(base, './matching.cjs', expected)?.validate, 'function');
  });
  it('ignores one compiled from anything else, and an absent one', () => {
    const other = fingerprint({ strict: true }, { type: 'number' }, ['validate']);
    assert.equal(loadCompiled(base, './matching.cjs', other), undefined);
    assert.equal(loadCompiled(base, './absent.cjs', expected), undefined);
  });
  it('throws for a module that is there but does not load (a broken build)', () => {
    assert.throws(() => loadCompiled(base, './broken.cjs', expected), SyntaxError);
  });
});
