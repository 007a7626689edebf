/**
 * verify over synthetic exports: intact content verifies, and every kind of tampering the issue
 * lists is reported exactly (seq ranges and ids), nothing more.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chainOf } from '../../src/integrity/chain.js';
import type { IntegrityKey } from '../../src/integrity/key.js';
import { createDeadLetterIndex, type DeadLettered } from '../../src/verify/dead-letters.js';
import type { Finding, JournalSummary } from '../../src/verify/findings.js';
import { FORMATS, type ExportFormat } from '../../src/verify/formats.js';
import { createVerifier } from '../../src/verify/verifier.js';
import {
  altered,
  chainJournal,
  es,
  forged,
  JOURNAL,
  KEY,
  KEY2,
  loki,
  shuffled,
  splunk,
  T0,
  type ChainedEvent,
} from './synthetic.js';

interface Outcome {
  /** Every finding but the journal summaries, in report order. */
  readonly findings: Finding[];
  readonly summaries: JournalSummary[];
}

function verify(
  format: ExportFormat,
  lines: readonly string[],
  options: {
    keys?: IntegrityKey[];
    deadLetters?: DeadLettered[];
    windowed?: boolean;
    runRecords?: number;
  } = {},
): Outcome {
  const verifier = createVerifier({
    keys: options.keys ?? [KEY],
    windowed: options.windowed ?? false,
    ...(options.deadLetters ? { deadLetters: createDeadLetterIndex(options.deadLetters) } : {}),
    ...(options.runRecords ? { sort: { runRecords: options.runRecords, windowBytes: 256 } } : {}),
  });
  lines.forEach((line, i) => verifier.add(FORMATS[format](line), `export:${i + 1}`));
  const findings: Finding[] = [];
  const summaries: JournalSummary[] = [];
  verifier.finish((f) => (f.kind === 'journal' ? summaries.push(f.summary) : findings.push(f)));
  return { findings, summaries };
}

const at = (seq: number) => ({ seq, timeMs: (T0 + seq) * 1000 });
const missing = (from: number, to: number, after?: number, before?: number): Finding => ({
  kind: 'missing',
  journal: JOURNAL,
  from,
  to,
  ...(after !== undefined ? { after: at(after) } : {}),
  ...(before !== undefined ? { before: at(before) } : {}),
});
const without = (events: ChainedEvent[], ...seqs: number[]) => events.filter((e) => !seqs.includes(e.seq));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const journal = chainJournal({ last: 100 });
const events = journal.events;
const checkpoint = journal.checkpoint();

describe('intact content verifies', () => {
  for (const [format, toLine, cpLine] of [
    ['elasticsearch', (e: ChainedEvent) => es.hit(e), es.checkpoint],
    ['loki', loki.line, loki.checkpoint],
    ['splunk', splunk.line, splunk.checkpoint],
  ] as const) {
    test(format, () => {
      const out = verify(format, [...events.map(toLine), cpLine(checkpoint)]);
      assert.deepEqual(out.findings, []);
      assert.deepEqual(out.summaries, [
        {
          journal: JOURNAL,
          events: 100,
          firstSeq: 1,
          lastSeq: 100,
          duplicates: 0,
          rotations: 0,
          checkpoint: { lastSeq: 100, time: checkpoint.time, keyId: KEY.id },
          afterCheckpoint: 0,
          problems: 0,
          explained: 0,
        },
      ]);
    });
  }

  test('Elasticsearch: bare _source documents, input metadata objects, keys reordered', () => {
    const out = verify(
      'elasticsearch',
      events.map((e, i) => es.hit(e, { bare: i % 2 === 0, metadata: i % 3 === 0 })),
    );
    assert.deepEqual(out.findings, []);
  });

  test('Elasticsearch: an event field our fields replaced is put back from wirety_ship.overwritten', () => {
    const e = events[0]!;
    // The event has its own `@timestamp` and `kubernetes`: the shipper kept them under overwritten.
    const own = { ...e.event, '@timestamp': 'theirs', kubernetes: 'theirs too' };
    const chain = chainOf(KEY.bytes, e.prev, 1, own);
    const doc = {
      '@timestamp': '2026-11-30T10:00:01.000Z',
      wirety_ship: {
        event_id: e.id,
        seq: 1,
        journal: JOURNAL,
        chain,
        chain_prev: e.prev,
        overwritten: { '@timestamp': 'theirs', kubernetes: 'theirs too' },
      },
      kubernetes: { namespace: 'prod' },
      ...e.event,
    };
    assert.deepEqual(verify('elasticsearch', [JSON.stringify({ _source: doc })]).findings, []);
  });

  test('duplicated and shuffled: the same verdict, the copies counted', () => {
    const lines = shuffled([...events, ...events, ...events.slice(10, 20)].map((e) => loki.line(e)));
    const out = verify('loki', [...lines, loki.checkpoint(checkpoint)]);
    assert.deepEqual(out.findings, []);
    assert.equal(out.summaries[0]!.duplicates, 110);
    assert.equal(out.summaries[0]!.events, 100);
  });

  test('spilled to disk in many runs: the same verdicts as in memory', () => {
    const tampered = shuffled([
      ...without(events, 7, 50, 51, 52),
      altered(events[29]!),
      ...events.slice(0, 30),
    ]);
    const lines = [...tampered.map((e) => es.hit(e)), es.checkpoint(checkpoint)];
    const inMemory = verify('elasticsearch', lines);
    const spilled = verify('elasticsearch', lines, { runRecords: 7 });
    assert.deepEqual(spilled, inMemory);
    assert.deepEqual(
      inMemory.findings.map((f) => f.kind),
      ['conflict', 'missing'],
    );
  });
});

describe('tampering is reported exactly', () => {
  const lines = (list: ChainedEvent[]) => [...list.map((e) => es.hit(e)), es.checkpoint(checkpoint)];

  test('one event deleted: MISSING that seq, with the time span of its neighbours', () => {
    assert.deepEqual(verify('elasticsearch', lines(without(events, 50))).findings, [missing(50, 50, 49, 51)]);
  });

  test('a range deleted', () => {
    assert.deepEqual(verify('elasticsearch', lines(without(events, ...range(20, 34)))).findings, [
      missing(20, 34, 19, 35),
    ]);
  });

  test('the first events deleted: MISSING from seq 1; a time-windowed read notes where the chain enters instead', () => {
    assert.deepEqual(verify('elasticsearch', lines(without(events, 1, 2, 3))).findings, [
      missing(1, 3, undefined, 4),
    ]);
    const windowed = verify(
      'elasticsearch',
      without(events, 1, 2, 3).map((e) => es.hit(e)),
      { windowed: true },
    );
    assert.deepEqual(windowed.findings, [{ kind: 'entry', journal: JOURNAL, seq: 4 }]);
  });

  test('one field altered: ALTERED with its event id', () => {
    const list = events.map((e) => (e.seq === 30 ? altered(e) : e));
    assert.deepEqual(verify('elasticsearch', lines(list)).findings, [
      { kind: 'altered', journal: JOURNAL, seq: 30, eventId: `${JOURNAL}-30` },
    ]);
  });

  test("two events' lines swapped in the file: order does not matter", () => {
    const list = [...events];
    [list[10], list[11]] = [list[11]!, list[10]!];
    assert.deepEqual(verify('loki', list.map(loki.line)).findings, []);
  });

  test("two events' contents swapped between their entries: both ALTERED", () => {
    const list = events.map((e) =>
      e.seq === 10
        ? { ...e, line: events[10]!.line, event: events[10]!.event }
        : e.seq === 11
          ? { ...e, line: events[9]!.line, event: events[9]!.event }
          : e,
    );
    assert.deepEqual(verify('loki', list.map(loki.line)).findings, [
      { kind: 'altered', journal: JOURNAL, seq: 10, eventId: `${JOURNAL}-10` },
      { kind: 'altered', journal: JOURNAL, seq: 11, eventId: `${JOURNAL}-11` },
    ]);
  });

  test('a forged event added after the last one: FORGED, nothing else', () => {
    assert.deepEqual(verify('splunk', [...events, forged(101)].map(splunk.line)).findings, [
      { kind: 'forged', journal: JOURNAL, seq: 101, eventId: `${JOURNAL}-101` },
    ]);
  });

  test('a forged event in a skipped seq: FORGED, and the chain still links around it', () => {
    const j = chainJournal({ last: 20, skipped: [[10, 10]] });
    assert.deepEqual(verify('splunk', [...j.events, forged(10)].map(splunk.line)).findings, [
      { kind: 'forged', journal: JOURNAL, seq: 10, eventId: `${JOURNAL}-10` },
    ]);
  });

  test('a second, different copy of one seq: CONFLICT naming the copy that verifies', () => {
    const out = verify('elasticsearch', lines([...events, altered(events[39]!)]));
    assert.equal(out.findings.length, 1);
    const conflict = out.findings[0]!;
    assert.equal(conflict.kind, 'conflict');
    assert.equal(conflict.kind === 'conflict' && conflict.seq, 40);
    assert.deepEqual(
      conflict.kind === 'conflict' &&
        [...conflict.copies].sort((a, b) => Number(b.verifies) - Number(a.verifies)),
      [
        { eventId: `${JOURNAL}-40`, verifies: true },
        { eventId: `${JOURNAL}-40`, verifies: false },
      ],
    );
  });

  test('the newest events dropped after the last checkpoint: MISSING up to the checkpoint', () => {
    const out = verify('elasticsearch', lines(without(events, ...range(91, 100))));
    assert.deepEqual(out.findings, [
      { ...missing(91, 100, 90), checkpoint: { lastSeq: 100, time: checkpoint.time } },
    ]);
  });

  test('without a checkpoint a cut tail cannot show, and the summary says so', () => {
    const out = verify(
      'elasticsearch',
      without(events, ...range(91, 100)).map((e) => es.hit(e)),
    );
    assert.deepEqual(out.findings, []);
    assert.equal(out.summaries[0]!.checkpoint, undefined);
  });

  test('events after the newest checkpoint are counted as covered only by the chain', () => {
    const out = verify('elasticsearch', [
      ...events.map((e) => es.hit(e)),
      es.checkpoint(journal.checkpoint(80)),
      es.checkpoint(journal.checkpoint(60)),
    ]);
    assert.deepEqual(out.findings, []);
    assert.equal(out.summaries[0]!.checkpoint?.lastSeq, 80);
    assert.equal(out.summaries[0]!.afterCheckpoint, 20);
  });

  test('the newest event altered: the checkpoint head confirms its chain value, so ALTERED (FORGED without one)', () => {
    const list = events.map((e) => (e.seq === 100 ? altered(e) : e));
    assert.deepEqual(verify('elasticsearch', lines(list)).findings, [
      { kind: 'altered', journal: JOURNAL, seq: 100, eventId: `${JOURNAL}-100` },
    ]);
    assert.deepEqual(
      verify(
        'elasticsearch',
        list.map((e) => es.hit(e)),
      ).findings,
      [{ kind: 'forged', journal: JOURNAL, seq: 100, eventId: `${JOURNAL}-100` }],
    );
  });

  test('a checkpoint whose head the event at its last_seq does not carry', () => {
    const bad = chainJournal({ last: 100, journal: JOURNAL }).checkpoint();
    const list = events.map((e) => (e.seq === 100 ? { ...e, chain: 'ab'.repeat(32) } : e));
    const out = verify('elasticsearch', [...list.map((e) => es.hit(e)), es.checkpoint(bad)]);
    // The chain value was replaced: the event fails its own check, and nothing confirms it.
    assert.deepEqual(out.findings, [
      { kind: 'forged', journal: JOURNAL, seq: 100, eventId: `${JOURNAL}-100` },
      { ...missing(100, 100, 99), checkpoint: { lastSeq: 100, time: bad.time } },
    ]);
  });

  test('every event deleted: MISSING through the checkpoint; a windowed read with no event reports nothing', () => {
    assert.deepEqual(verify('elasticsearch', [es.checkpoint(checkpoint)]).findings, [
      {
        kind: 'missing',
        journal: JOURNAL,
        from: 1,
        to: 100,
        checkpoint: { lastSeq: 100, time: checkpoint.time },
      },
    ]);
    assert.deepEqual(verify('elasticsearch', [es.checkpoint(checkpoint)], { windowed: true }).findings, []);
  });

  test('a checkpoint altered or made with another key: BAD CHECKPOINT', () => {
    const out = verify('elasticsearch', [
      ...events.map((e) => es.hit(e)),
      es.checkpoint({ ...checkpoint, last_seq: 200 }),
    ]);
    assert.deepEqual(out.findings, [
      {
        kind: 'bad_checkpoint',
        where: 'export:101',
        reason: 'mac does not match: altered, or not made by this key',
      },
    ]);
  });
});

describe('gaps that are not losses', () => {
  const skipping = chainJournal({ last: 60, skipped: [[30, 34]] });

  test('journal skips are never MISSING, with or without a checkpoint', () => {
    assert.deepEqual(verify('loki', skipping.events.map(loki.line)).findings, []);
    assert.deepEqual(
      verify('loki', [...skipping.events.map(loki.line), loki.checkpoint(skipping.checkpoint())]).findings,
      [],
    );
  });

  test('an event lost next to a skip: the checkpoint tells the skip from the loss', () => {
    const list = without(skipping.events, 35);
    assert.deepEqual(verify('loki', list.map(loki.line)).findings, [missing(30, 35, 29, 36)]);
    assert.deepEqual(
      verify('loki', [...list.map(loki.line), loki.checkpoint(skipping.checkpoint())]).findings,
      [missing(35, 35, 29, 36)],
    );
  });

  // As the shipper journals them: a checkpoint record takes a seq of its own between the events,
  // states it, and is never listed in a later checkpoint's skipped ranges.
  const withCheckpoints = chainJournal({ last: 60, checkpointSeqs: [11, 22, 33, 44, 55] });
  const cps = [...withCheckpoints.checkpoints(), withCheckpoints.checkpoint()];
  const tail = { checkpoint: { lastSeq: 60, time: cps.at(-1)!.time } };

  test('checkpoint records hold no event: their seqs are never MISSING, nor expected by the tail check', () => {
    assert.deepEqual(
      cps.map((c) => [c.seq, c.last_seq, c.skipped]),
      [
        [11, 10, []],
        [22, 21, []],
        [33, 32, []],
        [44, 43, []],
        [55, 54, []],
        [61, 60, []],
      ],
    );
    const lines = [...withCheckpoints.events.map(loki.line), ...cps.map(loki.checkpoint)];
    assert.deepEqual(verify('loki', lines).findings, []);
    assert.deepEqual(verify('loki', shuffled(lines, 7)).findings, []);
  });

  test('a deletion next to a checkpoint seq gives the exact range', () => {
    const list = without(withCheckpoints.events, 21, 23).map(loki.line);
    assert.deepEqual(verify('loki', [...list, ...cps.map(loki.checkpoint)]).findings, [
      missing(21, 21, 20, 24),
      missing(23, 23, 20, 24),
    ]);
    // A tail cut through checkpoint seqs: the events only, up to the newest checkpoint's last_seq.
    const cut = withCheckpoints.events.filter((e) => e.seq < 40).map(loki.line);
    assert.deepEqual(verify('loki', [...cut, ...cps.map(loki.checkpoint)]).findings, [
      { ...missing(40, 43, 39), ...tail },
      { ...missing(45, 54, 39), ...tail },
      { ...missing(56, 60, 39), ...tail },
    ]);
  });

  test('a checkpoint record not seen widens a MISSING range that touches its seq, nothing more', () => {
    const list = without(withCheckpoints.events, 21, 23).map(loki.line);
    const others = cps.filter((c) => c.seq !== 22).map(loki.checkpoint);
    assert.deepEqual(verify('loki', [...list, ...others]).findings, [missing(21, 23, 20, 24)]);
    // Intact events with checkpoint records missing: nothing to report (the chain links over them).
    assert.deepEqual(verify('loki', [...withCheckpoints.events.map(loki.line), others.at(-1)!]).findings, []);
  });

  test('a long journal with a checkpoint every few seqs verifies, through the external sort', () => {
    const seqs = Array.from({ length: 1000 }, (_, i) => 4 * (i + 1));
    const long = chainJournal({ last: 4001, checkpointSeqs: seqs });
    const all = [...long.checkpoints(), long.checkpoint()];
    assert.ok(all.every((c) => c.skipped.length === 0));
    const lines = shuffled([...long.events.map(loki.line), ...all.map(loki.checkpoint)], 3);
    const out = verify('loki', lines, { runRecords: 500 });
    assert.deepEqual(out.findings, []);
    assert.equal(out.summaries[0]!.events, 3001);
    assert.equal(out.summaries[0]!.checkpoint?.lastSeq, 4001);
    // One event lost between two checkpoints: exactly that seq.
    const gap = shuffled([...without(long.events, 2001).map(loki.line), ...all.map(loki.checkpoint)], 5);
    assert.deepEqual(verify('loki', gap, { runRecords: 500 }).findings, [missing(2001, 2001, 1999, 2002)]);
  });

  test('a dead-lettered event is EXPLAINED with the dead-letter file, MISSING without it', () => {
    const list = without(events, 60, 61, 62).map((e) => es.hit(e));
    assert.deepEqual(verify('elasticsearch', list).findings, [missing(60, 62, 59, 63)]);
    const dead: DeadLettered = {
      seq: 61,
      eventId: `${JOURNAL}-61`,
      sink: 'es',
      reason: 'rejected',
      detail: 'mapper_parsing_exception: failed to parse [actor_id]',
    };
    assert.deepEqual(verify('elasticsearch', list, { deadLetters: [dead] }).findings, [
      missing(60, 60, 59, 63),
      {
        kind: 'explained',
        journal: JOURNAL,
        seq: 61,
        eventId: `${JOURNAL}-61`,
        sink: 'es',
        reason: 'rejected',
        detail: dead.detail,
      },
      missing(62, 62, 59, 63),
    ]);
  });

  test('a key rotation links with both keys; with the old key alone the new events do not verify', () => {
    const rotated = chainJournal({ last: 40, key: KEY2, rotation: { atSeq: 21, oldKey: KEY } });
    const lines = rotated.events.map((e) => es.hit(e));
    const both = verify('elasticsearch', lines, { keys: [KEY, KEY2] });
    assert.deepEqual(both.findings, []);
    assert.equal(both.summaries[0]!.rotations, 1);
    const oldOnly = verify('elasticsearch', lines, { keys: [KEY] });
    assert.deepEqual(
      oldOnly.findings.map((f) => f.kind),
      ['altered', 'unlinked', ...range(22, 39).map(() => 'altered'), 'forged'],
    );
  });
});

describe('records that cannot be checked', () => {
  test('not JSON, integrity fields malformed, or none at all: counted with their place', () => {
    const out = verify('loki', [
      loki.line(events[0]!),
      'not json',
      JSON.stringify({ labels: { job: 'wirety' }, line: JSON.stringify(events[1]!.event) }),
      JSON.stringify({ labels: { seq: '3', journal: JOURNAL, chain: 'zz' }, line: events[2]!.line }),
    ]);
    assert.deepEqual(
      out.findings.map((f) =>
        f.kind === 'unusable' ? [f.why, f.count, f.examples.map((e) => e.where)] : f.kind,
      ),
      [
        ['unreadable', 2, ['export:2', 'export:4']],
        ['unchained', 1, ['export:3']],
      ],
    );
  });

  test('Elasticsearch documents shipped with integrity off (wirety_ship without chain fields) are UNCHAINED', () => {
    const off = {
      '@timestamp': 'x',
      wirety_ship: { event_id: 'e-1', seq: 1, source: 'server' },
      ...events[0]!.event,
    };
    const out = verify('elasticsearch', [
      JSON.stringify({ _source: off }),
      JSON.stringify({ _source: events[1]!.event }),
    ]);
    assert.deepEqual(
      out.findings.map((f) => (f.kind === 'unusable' ? [f.why, f.count] : f.kind)),
      [['unchained', 2]],
    );
  });
});
