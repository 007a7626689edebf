/**
 * The example config shows every declared key, set or commented out, so a key added to a
 * declaration (file-schema.ts, sink-shared.ts, a sink's or an input's config.ts) without its
 * example line fails here. A key shown once stands for every block it appears in (a sink's
 * tls and retry are shown under defaults).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import type { TObject } from '@sinclair/typebox';
import './helpers.js';
import { isBlock } from '../../src/config/declare.js';
import { fileSchema } from '../../src/config/file-schema.js';
import { inputKinds } from '../../src/config/input-kinds.js';
import { sinkKinds } from '../../src/config/sink-kinds.js';

function keys(schema: TObject, prefix = ''): string[] {
  return Object.entries(schema.properties).flatMap(([key, sub]) =>
    isBlock(sub) ? keys(sub, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

test('config/wirety-ship.example.yaml shows every declared key', async () => {
  const example = await readFile(new URL('../../config/wirety-ship.example.yaml', import.meta.url), 'utf8');
  const shown = (key: string) => {
    const last = key.split('.').pop() ?? key;
    return new RegExp(`(^|[\\s{#,])${last}:`, 'm').test(example);
  };
  const declared = [
    ...keys(fileSchema),
    ...sinkKinds().flatMap((kind) => keys(kind.schema)),
    ...inputKinds().flatMap((kind) => keys(kind.schema)),
  ];
  const missing = [...new Set(declared)].filter((key) => !shown(key));
  assert.deepEqual(missing, [], 'keys missing from the example: add a line (or a commented one)');
});
