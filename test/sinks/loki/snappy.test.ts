/**
 * Loki bodies are snappy block format whichever compressor runs: the native package where it loads,
 * snappyjs where it does not (src/sinks/loki/snappy.ts). snappyjs decodes both, as Loki would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uncompress } from 'snappyjs';
import { corpusLines } from '../../../bench/corpus.js';
import { chooseCompressor, compress, reportSnappyChoice } from '../../../src/sinks/loki/snappy.js';

const bodies = [
  new Uint8Array(0),
  Buffer.from('x'),
  Buffer.from([...corpusLines(3_000, 5)].join('\n')),
  Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)),
];

test('the chosen compressor writes snappy blocks that decode to the body', () => {
  for (const body of bodies) assert.deepEqual(Buffer.from(uncompress(compress(body))), Buffer.from(body));
});

test('on this platform the native package loads, and the choice is logged once at debug', () => {
  const lines: string[] = [];
  const logger = { debug: (m: string) => lines.push(m), info() {}, warn() {}, error() {} };
  reportSnappyChoice(logger);
  reportSnappyChoice(logger);
  assert.deepEqual(lines, ['loki: compressing push bodies with native snappy package']);
});

test('without the native package: snappyjs, the same format, and why', () => {
  const fallback = chooseCompressor(() => {
    throw new Error('Cannot find native binding\nmore detail');
  });
  assert.equal(fallback.why, 'snappyjs (the native snappy package did not load: Cannot find native binding)');
  for (const body of bodies)
    assert.deepEqual(Buffer.from(uncompress(fallback.compress(body))), Buffer.from(body));
});
