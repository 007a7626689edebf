/**
 * Ingest, driven directly (real classifier, memory journal, in-memory dead-letter sink): every
 * line lands in exactly one bucket, empty lines in their own, and every dead-letter record written
 * while reading says where its line is in the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createClassifier } from '../../src/audit/classify.js';
import { createMemoryLog } from '../../src/journal/memory-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import { runIngest } from '../../src/pipeline/ingest.js';
import { createStdinInput } from '../../src/sources/stdin/stdin-input.js';
import { createMemoryDeadLetter } from '../helpers/memory-dead-letter.js';

const audit = (n: number) =>
  `{"level":"info","log_type":"audit","time":${1748000000 + n},"actor_type":"agent","peer_id":"peer-${n}","network_id":"net-1","action":"config.sync","message":"audit"}`;

async function ingest(input: Buffer, chunkBytes: number) {
  const stats = createStats();
  const deadLetter = createMemoryDeadLetter();
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunkBytes) chunks.push(input.subarray(i, i + chunkBytes));
  const readToEnd = await runIngest({
    input: createStdinInput({
      stream: Readable.from(chunks),
      maxLineBytes: 512,
      onBytes: (n) => (stats.inputBytes += n),
    }),
    maxLineBytes: 512,
    classify: createClassifier(),
    audit: { unknown_actions: 'dead_letter', not_json: 'dead_letter' },
    log: createMemoryLog({ sinkNames: ['s'], maxBytes: 1 << 20, whenFull: 'block' }),
    deadLetter,
    stats,
    logger: createMemoryLogger(),
    now: () => 1_748_000_000_000,
    signal: new AbortController().signal,
  });
  assert.equal(readToEnd, true);
  return { stats, dead: deadLetter.records };
}

const lines = [
  audit(1),
  '',
  'not json at all',
  '{"log_type":"access"}',
  '   ',
  audit(2).replace('"time":1748000002', '"time":"1748000002"'), // invalid: time as a string
  'x'.repeat(600), // over max_line_bytes
  audit(3).replace('config.sync', 'peer.teleport'), // unknown action, dead-lettered
  audit(4),
];
const input = Buffer.concat([
  Buffer.from(lines.slice(0, 6).join('\n') + '\n'),
  Buffer.from([0xc3, 0x28, 0x0a]), // invalid UTF-8, line 7
  Buffer.from(lines.slice(6).join('\n') + '\n'),
]);
const textLines = input.toString('latin1').split('\n');

for (const chunkBytes of [input.length, 7, 1]) {
  test(`every dead-letter record names its line number and byte offset (chunks of ${chunkBytes} bytes)`, async () => {
    const { dead } = await ingest(input, chunkBytes);
    assert.deepEqual(
      dead.map((d) => [d.reason, d.line_number]),
      [
        ['not_json', 3],
        ['invalid', 6],
        ['invalid_utf8', 7],
        ['line_too_long', 8],
        ['unknown_action', 9],
      ],
    );
    for (const d of dead) {
      // What `sed -n '<line_number>p'` prints is the line, and its bytes start at byte_offset.
      const expectedLine = input.subarray(d.byte_offset, d.byte_offset! + d.line_bytes);
      assert.equal(textLines[d.line_number! - 1], expectedLine.toString('latin1'), `line ${d.line_number}`);
      if (d.line !== undefined && !d.truncated) assert.equal(expectedLine.toString(), d.line);
      if (d.line_base64 !== undefined) assert.deepEqual(Buffer.from(d.line_base64, 'base64'), expectedLine);
    }
  });
}

test('empty and whitespace-only lines have their own bucket, and the buckets add up to lines read', async () => {
  const { stats, dead } = await ingest(input, 5);
  assert.deepEqual(stats.verdicts, { valid: 2, not_audit: 1, not_json: 1, empty: 2, invalid: 4 });
  const sum = Object.values(stats.verdicts).reduce((a, b) => a + b, 0);
  assert.equal(stats.linesRead, 10);
  assert.equal(sum, stats.linesRead, 'lines_read = valid + not_audit + not_json + empty + invalid');
  assert.ok(!dead.some((d) => d.line === '' || d.line === '   '), 'empty lines are never dead-lettered');
  assert.equal(stats.inputBytes, input.length, 'input_bytes counts every byte read');
  assert.equal(stats.deadLettered, dead.length);
  assert.deepEqual(stats.deadLetteredByReason, {
    not_json: 1,
    invalid: 1,
    invalid_utf8: 1,
    line_too_long: 1,
    unknown_action: 1,
  });
});
