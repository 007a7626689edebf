/** The stdout sink prints each line exactly as wirety wrote it: input metadata is never printed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStdoutCodec } from '../../../src/sinks/stdout/index.js';
import { mixedRecords } from '../../helpers/input-metadata.js';

void test('stdout: lines unchanged whatever metadata the records carry', () => {
  const records = mixedRecords();
  assert.ok(records.some((r) => r.metadata !== undefined));
  const body = Buffer.from(createStdoutCodec().encode(records).body).toString('utf8');
  assert.equal(body, records.map((r) => r.line + '\n').join(''));
});
