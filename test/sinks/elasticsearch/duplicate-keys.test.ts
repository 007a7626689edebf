/**
 * Elasticsearch refuses a document that names a key twice ("Duplicate field"), while JSON.parse
 * (and so the classifier, Loki and Splunk) keeps the last value. A line with a repeated top-level
 * key must therefore not be spliced verbatim; every other line still takes the fast path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentBySplice } from '../../../src/sinks/elasticsearch/encode.js';
import { makeRecord } from '../../helpers/records.js';

const ts = '2025-05-23T11:33:20.000Z';
const base = '"level":"info","log_type":"audit","time":1748000000,"action":"peer.create"';

test('a repeated top-level key takes the careful path', () => {
  const line = `{${base},"peer_name":"a","peer_name":"b","message":"audit"}`;
  assert.equal(documentBySplice(makeRecord(1, line), ts), undefined);
});

test('a flat line without repeats is spliced', () => {
  assert.ok(documentBySplice(makeRecord(1, `{${base},"peer_name":"a","message":"audit"}`), ts));
});

test('nested values and ": inside strings are counted exactly', () => {
  const nested = `{${base},"extra":{"a":1,"b":[{"c":2}]},"note":"x\\":y","message":"audit"}`;
  assert.ok(documentBySplice(makeRecord(1, nested), ts), 'no repeat: spliced');
  const repeated = `{${base},"extra":{"a":1},"note":"x\\":y","note":"z","message":"audit"}`;
  assert.equal(documentBySplice(makeRecord(1, repeated), ts), undefined, 'a repeat: careful path');
});
