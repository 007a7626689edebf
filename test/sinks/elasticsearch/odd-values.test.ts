// Odd values through the bulk encoder: a deep value in a compact line is spliced verbatim (no
// serialiser involved); one that needs the careful copy throws, which the delivery loop's encode
// guard turns into that record's own encode_failed outcome (test/deliver/encode-guard.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBulkEncoder } from '../../../src/sinks/elasticsearch/encode.js';
import { nestedArrays, recordWithRawFields } from '../../helpers/records.js';

const encoder = () => createBulkEncoder({ index: 'wirety-audit-%Y.%m.%d', op: 'create' });
const documentLine = (body: Uint8Array, i: number) =>
  Buffer.from(body).toString('utf8').split('\n')[2 * i + 1]!;

void test('a value nested 10,000 deep in a compact line is spliced verbatim, never re-serialised', () => {
  const record = recordWithRawFields(1, { peer_id: nestedArrays(10_000) });
  const doc = documentLine(encoder().encode([record]).body, 0);
  assert.ok(doc.endsWith(record.line.slice(1)), 'the original line after our fields');
});

void test('the same value in a line that needs the careful copy (a \\u escape) throws: the encode guard’s case', () => {
  const record = recordWithRawFields(1, {
    peer_name: '"R\\u0026D"',
    peer_id: nestedArrays(10_000),
  });
  assert.throws(() => encoder().encode([record]), RangeError);
});

void test('lone surrogates and U+FFFD on the careful path stay well-formed JSON escapes', () => {
  const record = recordWithRawFields(1, { peer_name: '"a\\ud800b\\ufffd"' });
  const doc = JSON.parse(documentLine(encoder().encode([record]).body, 0)) as Record<string, unknown>;
  assert.equal(doc.peer_name, 'a\uD800b\uFFFD');
});

void test('huge numbers on the splice path keep their exact text', () => {
  const record = recordWithRawFields(1, {
    rule_count: '1e400',
    peer_count: '123456789012345678901234567890',
  });
  const doc = documentLine(encoder().encode([record]).body, 0);
  assert.ok(doc.includes('"rule_count":1e400,"peer_count":123456789012345678901234567890}'), doc);
});
