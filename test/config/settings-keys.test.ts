/**
 * Every flag and WIRETY_SHIP_* variable sets a declared key: a sink's flag row (its config.ts)
 * that names a path no declaration has would be refused as an unknown key at run time. The global
 * keys' flags are declared on the keys themselves (`cli`), so they cannot miss.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import './helpers.js';
import { block, declared, isBlock } from '../../src/config/declare.js';
import { fileSchema } from '../../src/config/file-schema.js';
import { SETTINGS, SINK_TARGETS } from '../../src/config/settings.js';
import { inputKind } from '../../src/config/input-kinds.js';
import { sinkKind } from '../../src/config/sink-kinds.js';
import { httpCommon } from '../../src/config/sink-shared.js';

function has(schema: unknown, path: readonly string[]): boolean {
  let node = schema;
  for (const part of path) {
    if (!isBlock(node)) return false;
    node = declared(node).properties?.[part];
    if (node === undefined) return false;
  }
  return true;
}

test('every flag and variable sets a declared key', () => {
  const wrong = SETTINGS.filter((s) => {
    if (!s.path || s.path.length === 0) return false;
    if (s.allHttp) return !has(block(httpCommon), s.path);
    if (s.sink) return !has(sinkKind(SINK_TARGETS[s.sink].type).schema, s.path);
    const input = s.input ?? s.allInputs;
    if (input) return !has(inputKind(input).schema, s.path);
    return !has(fileSchema, s.path);
  }).map((s) => s.flag ?? s.env);
  assert.deepEqual(wrong, []);
  assert.ok(
    SETTINGS.some((s) => s.flag === 'loki-tenant'),
    'the sinks registered their rows',
  );
  assert.ok(
    SETTINGS.some((s) => s.flag === 'passthrough' && s.path?.join('.') === 'input.passthrough'),
    'the keys declared with a cli registered their rows',
  );
  assert.ok(
    SETTINGS.some((s) => s.flag === 'file') && SETTINGS.some((s) => s.flag === 'forward'),
    'the inputs registered their rows',
  );
});
