/**
 * Integrity inside the running pipeline (the harness: the CLI's configuration, a fake clock, the
 * real disk journal): every event reaches the sink with its chain, checkpoints are made every N
 * events, after the interval and at shutdown, each journaled for the sink and appended to the
 * checkpoint file, and none is counted as a delivered event.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chainOf } from '../../src/integrity/chain.js';
import { checkCheckpoint, type Checkpoint } from '../../src/integrity/checkpoint.js';
import { parseKey } from '../../src/integrity/key.js';
import { serverLine } from '../helpers/records.js';
import { startPipeline } from '../helpers/pipeline-harness.js';

const KEY = '5a'.repeat(32);
const key = parseKey(KEY, 'test');
const valid = (n: number) => serverLine.replace('"time":1748000000', `"time":${1748000000 + n}`);

async function checkpointFile(path: string): Promise<Checkpoint[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Checkpoint);
}

void describe('integrity checkpoints in the pipeline', () => {
  void it('every N events and at shutdown: journaled for the sink, in the checkpoint file, not counted as events', async () => {
    const run = await startPipeline({
      args: ['--stdout'],
      env: { WIRETY_SHIP_INTEGRITY_KEY: KEY },
      configFile: 'integrity:\n  checkpoint_every: 3\n',
    });
    try {
      assert.equal(run.config.buffer.type, 'disk');
      // A checkpoint is made after the append that reaches N (it never splits a batch): feed 3, 3, 1.
      const feed = (from: number, n: number) =>
        Array.from({ length: n }, (_, i) => valid(from + i) + '\n').join('');
      run.write(feed(1, 3));
      await run.advanceUntil(() => run.pipeline.stats.journaled === 3);
      run.write(feed(4, 3));
      await run.advanceUntil(() => run.pipeline.stats.journaled === 6);
      run.end(feed(7, 1));
      const r = await run.finish();
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(!r.stderr.includes(KEY), 'the key never reaches the log');
      const file = await checkpointFile(join(run.config.buffer.data_dir, 'checkpoints.ndjson'));
      assert.equal(
        run.config.integrity.checkpoint_file,
        join(run.config.buffer.data_dir, 'checkpoints.ndjson'),
      );
      // Events take seqs 1-3, checkpoint 4, events 5-7, checkpoint 8, event 9, final checkpoint 10.
      // Each states its own seq; none lists a checkpoint's seq as skipped.
      assert.deepEqual(
        file.map((c) => [c.seq, c.last_seq, c.count, c.skipped]),
        [
          [4, 3, 3, []],
          [8, 7, 6, []],
          [10, 9, 7, []],
        ],
      );
      for (const c of file) assert.ok(checkCheckpoint(c, [key]).ok, 'a valid mac');
      // The stdout sink writes each checkpoint as one line, where the journal put it.
      const out = r.stdout.toString('utf8').trimEnd().split('\n');
      assert.equal(out.length, 10);
      assert.deepEqual(
        [out[3], out[7], out[9]].map((l) => JSON.parse(l!) as unknown),
        file,
      );
      assert.deepEqual(
        out.filter((_, i) => ![3, 7, 9].includes(i)),
        Array.from({ length: 7 }, (_, i) => valid(i + 1)),
      );
      // The head of each checkpoint is the chain of its last event, recomputed from the lines.
      let prev = '';
      const chains = new Map<number, string>();
      let seq = 0;
      for (const line of out) {
        seq++;
        const parsed = JSON.parse(line) as { type?: string; seq?: number };
        if (parsed.type === 'wirety_ship_checkpoint') {
          assert.equal(parsed.seq, seq, 'a checkpoint states the seq its record took');
          continue;
        }
        if (prev === '') {
          const { chainSeed } = await import('../../src/integrity/chain.js');
          const journalId = file[0]!.journal;
          prev = chainSeed(key.bytes, journalId).toString('hex');
        }
        prev = chainOf(key.bytes, prev, seq, parsed);
        chains.set(seq, prev);
      }
      for (const c of file) assert.equal(c.head, chains.get(c.last_seq));
      assert.equal(r.summary.journaled, 7);
      assert.equal(r.stats.sinks.get('stdout')?.delivered, 7, 'checkpoints are not delivered events');
    } finally {
      await run.close();
    }
  });

  void it('after the interval when events arrived, never while idle', async () => {
    const run = await startPipeline({
      args: ['--stdout'],
      env: { WIRETY_SHIP_INTEGRITY_KEY: KEY },
      configFile: 'integrity:\n  checkpoint_interval: 30s\n',
    });
    const path = join(run.config.buffer.data_dir, 'checkpoints.ndjson');
    try {
      const intervalSleeps = () => run.clock.sleeps.filter((ms) => ms === 30_000).length;
      assert.equal(intervalSleeps(), 0, 'no timer before any event');
      run.write(valid(1) + '\n' + valid(2) + '\n');
      await run.advanceUntil(() => intervalSleeps() === 1, 'the interval timer is armed');
      const armedAt = run.clock.now();
      let file: Checkpoint[] = [];
      await run.advanceUntil(() => {
        void checkpointFile(path).then((f) => (file = f));
        return file.length === 1;
      }, 'one checkpoint after the interval');
      assert.ok(run.clock.now() - armedAt >= 30_000);
      assert.deepEqual([file[0]!.last_seq, file[0]!.count], [2, 2]);
      // Idle for ten intervals: no new timer, no new checkpoint.
      await run.clock.advance(300_000);
      assert.equal(intervalSleeps(), 1);
      assert.equal((await checkpointFile(path)).length, 1);
      run.end(valid(3) + '\n');
      const r = await run.finish();
      assert.equal(r.exitCode, 0, r.stderr);
      const all = await checkpointFile(path);
      assert.deepEqual(
        all.map((c) => [c.seq, c.last_seq, c.count, c.skipped]),
        [
          [3, 2, 2, []],
          [5, 4, 3, []],
        ],
      );
    } finally {
      await run.close();
    }
  });
});
