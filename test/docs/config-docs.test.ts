/**
 * docs/config.md is generated (npm run docs:config) from the key declarations and
 * scripts/config.md.template: this fails when the checked-in file is not what the generator
 * writes, so a key, default or flag cannot change without its documentation (CI runs npm test).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { OUTPUT, renderConfigDocs } from '../../scripts/config-docs.js';

test('docs/config.md is what npm run docs:config generates', async () => {
  const checkedIn = await readFile(OUTPUT, 'utf8');
  const generated = await renderConfigDocs();
  if (checkedIn === generated) return;
  let at = 0;
  while (at < generated.length && checkedIn[at] === generated[at]) at++;
  const line = generated.slice(0, at).split('\n').length;
  assert.fail(`docs/config.md differs from the declarations from line ${line}: run npm run docs:config`);
});

test('every key table of the template is filled', async () => {
  assert.doesNotMatch(await renderConfigDocs(), /\{\{[a-z_ ]+\}\}/);
});
