/**
 * Ingest over the input contract (src/sources/input.ts), with a fake Input: lines an input
 * refused are dead-lettered with its reason, accepted events carry the input's id and metadata,
 * each batch is settled once, in order, only after its events are appended, and a batch the
 * journal could not store (shutdown while full) is settled `unstored` and dead-lettered only for
 * an input that would not bring its lines back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AcceptedEvent } from '../../src/audit/record.js';
import { createClassifier } from '../../src/audit/classify.js';
import type { AppendResult, EventLog } from '../../src/journal/event-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import { runIngest } from '../../src/pipeline/ingest.js';
import type { Input, InputBatch, InputLine } from '../../src/sources/input.js';
import { createMemoryDeadLetter } from '../helpers/memory-dead-letter.js';

const audit = (n: number) =>
  `{"level":"info","log_type":"audit","time":${1748000000 + n},"actor_type":"agent","peer_id":"peer-${n}","network_id":"net-1","action":"config.sync","message":"audit"}`;

const line = (text: string, n: number, extra: Partial<InputLine> = {}): InputLine => ({
  framed: { kind: 'line', text, bytes: Buffer.byteLength(text), lineNumber: n, offset: n * 1000 },
  ...extra,
});

interface FakeBatch {
  readonly source: string;
  readonly lines: InputLine[];
  readonly redelivers?: boolean;
}

/** An input handing over fixed batches, recording each settle (and what was appended by then). */
function fakeInput(batches: FakeBatch[], redelivers: boolean, appended: () => number) {
  const settled: { batch: number; outcome: string; appendedBefore: number }[] = [];
  const input: Input = {
    name: 'fake',
    redelivers,
    async *batches() {
      await Promise.resolve(); // an input may wait before its first batch
      for (const [i, b] of batches.entries()) {
        let done = false;
        const batch: InputBatch = {
          source: b.source,
          lines: b.lines,
          ...(b.redelivers !== undefined ? { redelivers: b.redelivers } : {}),
          settled(outcome) {
            assert.equal(done, false, 'a batch is settled once');
            done = true;
            settled.push({ batch: i, outcome, appendedBefore: appended() });
          },
        };
        yield batch;
        assert.equal(done, true, 'the next batch is asked for only after this one is settled');
      }
    },
    close: () => Promise.resolve(),
  };
  return { input, settled };
}

/** An event log that stores everything, or (from call `fullFrom` on) nothing, as a full journal at shutdown. */
function recordingLog(fullFrom = Infinity) {
  const events: AcceptedEvent[] = [];
  let calls = 0;
  const log: EventLog = {
    append(batch): Promise<AppendResult> {
      calls++;
      if (calls >= fullFrom) return Promise.resolve({ stored: [], dropped: 0, unstored: batch.length });
      events.push(...batch);
      return Promise.resolve({
        stored: batch.map((e, i) => ({ ...e, seq: i, id: e.id ?? `j${i}` })),
        dropped: 0,
        unstored: 0,
      });
    },
    endInput: () => undefined,
    cursor: () => {
      throw new Error('no sinks');
    },
    stats: () => ({ records: 0, bytes: 0, full: false }),
    close: () => Promise.resolve(),
  };
  return { log, events, calls: () => calls };
}

async function ingest(input: Input, log: EventLog) {
  const stats = createStats();
  const inputStats = { linesRead: 0 };
  const deadLetter = createMemoryDeadLetter();
  const ended = await runIngest({
    input,
    inputStats,
    maxLineBytes: 4096,
    classify: createClassifier(),
    audit: { unknown_actions: 'forward', not_json: 'dead_letter' },
    log,
    deadLetter,
    stats,
    logger: createMemoryLogger(),
    now: () => 1_748_000_000_000,
    signal: new AbortController().signal,
  });
  return { ended, stats, inputStats, dead: deadLetter.records };
}

test('rejected lines are dead-lettered with the input’s reason and source; accepted events carry id and metadata', async () => {
  const journal = recordingLog();
  const metadata = { namespace: 'prod', pod: 'wirety-0', container: 'wirety-server' };
  const { input, settled } = fakeInput(
    [
      {
        source: 'file:/var/log/pods/a/0.log',
        lines: [
          line(audit(1), 1, { id: 'fp1:0', metadata }),
          line('2026-01-01T00:00:00Z stdout X oops', 2, {
            id: 'fp1:200',
            rejected: { reason: 'invalid_cri_line', detail: 'no P/F tag' },
          }),
          line(audit(3), 3),
        ],
      },
      {
        source: 'forward:127.0.0.1:5000',
        lines: [
          line('{"message_without_log":1}', 1, {
            rejected: { reason: 'forward_no_line', detail: 'no "log" nor "message" string' },
          }),
        ],
      },
    ],
    true,
    () => journal.events.length,
  );
  const { ended, stats, inputStats, dead } = await ingest(input, journal.log);
  assert.equal(ended, true);
  assert.deepEqual(
    dead.map((d) => [d.reason, d.detail, d.source, d.line_number, d.byte_offset, d.line]),
    [
      [
        'invalid_cri_line',
        'no P/F tag',
        'file:/var/log/pods/a/0.log',
        2,
        2000,
        '2026-01-01T00:00:00Z stdout X oops',
      ],
      [
        'forward_no_line',
        'no "log" nor "message" string',
        'forward:127.0.0.1:5000',
        1,
        1000,
        '{"message_without_log":1}',
      ],
    ],
  );
  assert.deepEqual(
    journal.events.map((e) => [e.id, e.metadata]),
    [
      ['fp1:0', metadata],
      [undefined, undefined],
    ],
  );
  assert.equal(stats.verdicts.invalid, 2);
  assert.equal(stats.verdicts.valid, 2);
  assert.equal(stats.linesRead, 4);
  assert.equal(inputStats.linesRead, 4);
  assert.equal(stats.deadLetteredByReason.invalid_cri_line, 1);
  assert.deepEqual(settled, [
    { batch: 0, outcome: 'stored', appendedBefore: 2 },
    { batch: 1, outcome: 'stored', appendedBefore: 2 },
  ]);
});

test('an empty batch is settled too (a Forward heartbeat, a request of filtered records)', async () => {
  const journal = recordingLog();
  const { input, settled } = fakeInput(
    [
      { source: 'forward:x', lines: [] },
      { source: 'forward:x', lines: [line(audit(1), 1)] },
    ],
    true,
    () => journal.events.length,
  );
  await ingest(input, journal.log);
  assert.deepEqual(
    settled.map((s) => [s.batch, s.outcome, s.appendedBefore]),
    [
      [0, 'stored', 0],
      [1, 'stored', 1],
    ],
  );
});

for (const redelivers of [true, false]) {
  test(`a batch the journal could not store is settled unstored; dead-lettered only when the input does not redeliver (redelivers: ${redelivers})`, async () => {
    const journal = recordingLog(2);
    const { input, settled } = fakeInput(
      [
        { source: 'src', lines: [line(audit(1), 1)] },
        { source: 'src', lines: [line(audit(2), 2), line(audit(3), 3)] },
      ],
      redelivers,
      () => journal.events.length,
    );
    const { stats, dead } = await ingest(input, journal.log);
    assert.deepEqual(
      settled.map((s) => s.outcome),
      ['stored', 'unstored'],
    );
    assert.equal(stats.unjournaled, 2);
    assert.deepEqual(
      dead.map((d) => [d.reason, d.line_number]),
      redelivers
        ? []
        : [
            ['undelivered_at_shutdown', 2],
            ['undelivered_at_shutdown', 3],
          ],
    );
  });
}

test('a batch may say it is not redelivered (a Forward request sent without chunk)', async () => {
  const journal = recordingLog(1);
  const { input } = fakeInput(
    [{ source: 'forward:x', lines: [line(audit(1), 1)], redelivers: false }],
    true,
    () => journal.events.length,
  );
  const { dead } = await ingest(input, journal.log);
  assert.deepEqual(
    dead.map((d) => d.reason),
    ['undelivered_at_shutdown'],
  );
});
