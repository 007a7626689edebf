/**
 * The stdout sink with integrity on: audit lines exactly as wirety wrote them (no chain values:
 * stdout carries no metadata), and each checkpoint as its own JSON line, in journal order, which a
 * reader tells apart by `"type":"wirety_ship_checkpoint"`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStdoutCodec } from '../../../src/sinks/stdout/index.js';
import { chainedRecords, checkpointRecord } from '../integrity-records.js';

void test('stdout: audit lines unchanged, the checkpoint as its JSON line', () => {
  const events = chainedRecords(3);
  const checkpoint = checkpointRecord(events, 5);
  const body = Buffer.from(createStdoutCodec().encode([...events, checkpoint]).body).toString('utf8');
  const lines = body.split('\n');
  assert.deepEqual(lines, [...events.map((r) => r.line), checkpoint.line, '']);
  assert.equal((JSON.parse(lines[3]!) as { type: string }).type, 'wirety_ship_checkpoint');
});
