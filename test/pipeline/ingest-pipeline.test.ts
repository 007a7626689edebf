/**
 * Ingest inside the running pipeline (the harness: the CLI's configuration, the in-memory stdin
 * and stdout): however the input is cut into chunks, even one byte at a time through a multi-byte
 * character, each line gets one verdict, the valid ones reach the default stdout sink
 * byte-identical and in order, and each dead-lettered line says where it was in the input
 * (line_number, byte_offset). The line framer and the classifier have their own unit tests; this
 * is the seam between the input, ingest and the journal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverLine } from '../helpers/records.js';
import { deadLetters } from '../helpers/e2e-corpus.js';
import { startPipeline } from '../helpers/pipeline-harness.js';

const valid = (n: number) => serverLine.replace('"time":1748000000', `"time":${1748000000 + n}`);
const invalid = serverLine.replace('"time":1748000000', '"time":"yesterday"');
// A valid line carrying a 3-byte character (U+20AC), so one-byte chunks cut through it.
const euro = serverLine.replace('"peer_name":"office-laptop"', '"peer_name":"office-laptop €"');

const lines = [valid(1), 'not json at all', invalid, '', euro, valid(2)];
const input = Buffer.from(lines.join('\n') + '\n');
const offsetOf = (index: number) =>
  Buffer.byteLength(
    lines
      .slice(0, index)
      .map((l) => l + '\n')
      .join(''),
  );

for (const [what, chunkBytes] of [
  ['one chunk', input.length],
  ['one byte at a time', 1],
  ['7-byte chunks', 7],
] as const) {
  test(`the input in ${what}: one verdict per line, valid lines on stdout unchanged, rejected ones located`, async () => {
    const run = await startPipeline({ args: ['--buffer', 'memory'] });
    try {
      for (let at = 0; at < input.length; at += chunkBytes) run.write(input.subarray(at, at + chunkBytes));
      run.end();
      const r = await run.finish();
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stdout.toString('utf8'), [valid(1), euro, valid(2)].map((l) => l + '\n').join(''));
      assert.deepEqual(
        {
          lines_read: r.summary.lines_read,
          valid: r.summary.valid,
          not_json: r.summary.not_json,
          invalid: r.summary.invalid,
          empty: r.summary.empty,
        },
        { lines_read: 6, valid: 3, not_json: 1, invalid: 1, empty: 1 },
      );
      const dead = await deadLetters(run.deadLetterPath);
      assert.deepEqual(
        dead.map((d) => [d.reason, d.line_number, d.byte_offset, d.line]),
        [
          ['not_json', 2, offsetOf(1), 'not json at all'],
          ['invalid', 3, offsetOf(2), invalid],
        ],
      );
    } finally {
      await run.close();
    }
  });
}
