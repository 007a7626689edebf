import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPartialAssembler, type PartialPiece } from '../../../src/sources/forward/partial-assembler.js';

const origin = { source: 'forward:test', lineNumber: 1, offset: 0 };
const piece = (id: string, ordinal: number, last: boolean, text: string): PartialPiece => ({
  id,
  ordinal,
  last,
  bytes: Buffer.from(text),
  metadata: { tag: 't' },
});

test('a re-sent piece is ignored and a missing middle piece keeps the line open', () => {
  const a = createPartialAssembler({ maxLineBytes: 1000, prefixBytes: 100, timeoutMs: 1000 });
  assert.equal(a.add(piece('x', 1, false, 'one-'), origin, 0), undefined);
  assert.equal(a.add(piece('x', 1, false, 'one-'), origin, 0), undefined);
  assert.equal(a.add(piece('x', 3, true, 'three'), origin, 0), undefined, 'piece 2 is still missing');
  const joined = a.add(piece('x', 2, false, 'two-'), origin, 0);
  assert.deepEqual(joined?.body, { kind: 'whole', line: Buffer.from('one-two-three') });
  assert.equal(a.open, 0);
});

test('expire hands back what came, in ordinal order, and says what is missing', () => {
  const a = createPartialAssembler({ maxLineBytes: 1000, prefixBytes: 100, timeoutMs: 1000 });
  a.add(piece('y', 3, true, 'C'), origin, 0);
  a.add(piece('y', 1, false, 'A'), origin, 10);
  assert.deepEqual(a.expire(999), []);
  const [expired] = a.expire(1000);
  assert.deepEqual(expired?.body, { kind: 'whole', line: Buffer.from('AC') });
  assert.match(expired?.detail ?? '', /ordinals 1,3.*pieces below the last \(3\) are missing/);
});

test('over maxOpen the oldest open line is evicted early with its pieces', () => {
  const a = createPartialAssembler({ maxLineBytes: 1000, prefixBytes: 100, timeoutMs: 60_000, maxOpen: 2 });
  a.add(piece('p1', 1, false, 'first'), origin, 0);
  a.add(piece('p2', 1, false, 'second'), origin, 0);
  a.add(piece('p3', 1, false, 'third'), origin, 0);
  assert.equal(a.open, 2);
  const [evicted, ...none] = a.expire(1);
  assert.deepEqual(none, []);
  assert.deepEqual(evicted?.body, { kind: 'whole', line: Buffer.from('first') });
  assert.match(evicted?.detail ?? '', /evicted: more than 2 partial lines open/);
});

test('past maxLineBytes only the prefix is held, whatever order the pieces come in', () => {
  const a = createPartialAssembler({ maxLineBytes: 10, prefixBytes: 4, timeoutMs: 1000 });
  a.add(piece('z', 3, true, 'CCCCCC'), origin, 0);
  a.add(piece('z', 2, false, 'BBBBBB'), origin, 0);
  const joined = a.add(piece('z', 1, false, 'AAAAAA'), origin, 0);
  assert.deepEqual(joined?.body, { kind: 'too_long', prefix: Buffer.from('AAAA'), bytes: 18 });
});
