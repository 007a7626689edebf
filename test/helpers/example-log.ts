/**
 * examples/wirety-server.log as the end-to-end tests use it: the raw bytes to pipe in, and the
 * lines the classifier accepts, which every sink must receive (45: docs/audit-events.md).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/audit/classify.js';

export const EXAMPLE_LOG = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'examples',
  'wirety-server.log',
);

export async function readExampleLog(): Promise<{ input: Buffer; validLines: string[] }> {
  const input = await readFile(EXAMPLE_LOG);
  const lines = input.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const classify = createClassifier();
  const validLines = lines.filter((l) => classify(l).verdict === 'valid');
  assert.equal(validLines.length, 45, 'docs/audit-events.md: the example holds 45 valid events');
  return { input, validLines };
}
