import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../src/audit/record.js';
import { chainOf, chainSeed, rotationLink } from '../../src/integrity/chain.js';
import { checkCheckpoint } from '../../src/integrity/checkpoint.js';
import { parseKey } from '../../src/integrity/key.js';
import { recordOverhead } from '../../src/journal/disk/record-codec.js';
import { accepted, everything, until } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const key = parseKey('11'.repeat(32), 'test');
const key2 = parseKey('22'.repeat(32), 'test');

/** Checks every chained record against an independent recomputation from its line alone. */
function assertChained(records: readonly AuditRecord[], k = key): void {
  for (const r of records) {
    assert.ok(r.integrity, `seq ${r.seq} carries no chain`);
    assert.equal(r.integrity.chain, chainOf(k.bytes, r.integrity.prev, r.seq, JSON.parse(r.line)));
  }
  for (let i = 1; i < records.length; i++) {
    assert.equal(
      records[i]!.integrity!.prev,
      records[i - 1]!.integrity!.chain,
      `seq ${records[i]!.seq} links`,
    );
  }
}

const metaVersion = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { version: number }).version;

const events = (all: readonly AuditRecord[]) => all.filter((r) => r.kind !== 'checkpoint');

void describe('the integrity chain in the disk journal', () => {
  after(removeAll);

  void it('chains every event at append, stores it with the record, and reads it back the same', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key, tailCacheRecords: 2 });
    const stored = (await journal.append(accepted(5))).stored;
    const seed = chainSeed(key.bytes, journal.journalId).toString('hex');
    assert.equal(stored[0]!.integrity!.prev, seed, 'the first event links to the seed');
    assert.equal(stored[0]!.integrity!.journal, journal.journalId);
    assertChained(stored);
    await journal.close();

    // Read back from the segment file (not the tail cache): the same values.
    const reopened = await openJournal({ dir, integrityKey: key, newSinkStart: 'oldest', sinkNames: ['b'] });
    const read = await everything(reopened, 'b');
    assert.deepEqual(
      read.map((r) => r.integrity),
      stored.map((r) => r.integrity),
    );
    // The chain continues across a clean close and reopen.
    const more = (await reopened.append(accepted(3, 6))).stored;
    assert.equal(more[0]!.integrity!.prev, stored[4]!.integrity!.chain);
    assertChained([...stored, ...more]);
    await reopened.close();
  });

  void it('without a key writes records exactly as before: no integrity block, no chain file', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir });
    const input = accepted(3);
    const stored = (await journal.append(input)).stored;
    await journal.close();
    for (const r of stored) assert.equal('integrity' in r, false);
    const segment = readdirSync(dir).find((n) => n.startsWith('segment-'))!;
    const bytes = readFileSync(join(dir, segment));
    assert.equal(
      bytes.length,
      input.reduce((n, e) => n + recordOverhead + e.bytes, 0),
    );
    assert.equal(bytes[8 + 17], 0, 'flags 0: the layout written before integrity existed');
    assert.equal(existsSync(join(dir, 'chain.json')), false);
    assert.equal(metaVersion(dir), 1, 'a journal never opened with a key stays version 1');
  });

  void it('continues across an unclean stop, and the next checkpoint lists the skipped seqs', async () => {
    const dir = tempDir();
    const live = await openJournal({ dir, integrityKey: key });
    const before = (await live.append(accepted(4))).stored;
    const image = tempDir();
    cpSync(dir, image, { recursive: true }); // the files as a kill -9 would leave them
    await live.close();

    const reopened = await openJournal({ dir: image, integrityKey: key });
    const skipped = reopened.recovery.skippedSeqs;
    assert.ok(skipped > 0);
    const after = (await reopened.append(accepted(2, 5))).stored;
    assert.equal(after[0]!.seq, 4 + skipped + 1);
    assert.equal(after[0]!.integrity!.prev, before[3]!.integrity!.chain, 'links straight over the skip');
    assertChained([...before, ...after]);
    const made = await reopened.integrity!.checkpoint(Date.UTC(2026, 0, 1));
    assert.ok(made?.journaled);
    const cp = made.checkpoint;
    assert.deepEqual(cp.skipped, [[5, 4 + skipped]]);
    assert.equal(cp.last_seq, after[1]!.seq);
    assert.equal(cp.count, 6);
    assert.equal(cp.head, after[1]!.integrity!.chain);
    // Nothing in the journal holds a skipped seq.
    const all = await everything(reopened, 'a');
    assert.ok(all.every((r) => r.seq <= 4 || r.seq > 4 + skipped));
    await reopened.close();
  });

  void it('links across a key rotation with rotationLink', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, integrityKey: key });
    const old = (await first.append(accepted(3))).stored;
    await first.close();
    const second = await openJournal({ dir, integrityKey: key2 });
    const fresh = (await second.append(accepted(2, 4))).stored;
    const link = rotationLink(key2.bytes, second.journalId, Buffer.from(old[2]!.integrity!.chain, 'hex'));
    assert.equal(fresh[0]!.integrity!.prev, link.toString('hex'));
    assertChained(fresh, key2);
    const made = await second.integrity!.checkpoint(0);
    assert.equal(made!.checkpoint.key_id, key2.id);
    assert.ok(checkCheckpoint(made!.checkpoint, [key, key2]).ok);
    await second.close();
    // A third start with the new key again: no rotation, the chain simply continues.
    const third = await openJournal({ dir, integrityKey: key2 });
    const later = (await third.append(accepted(1, 6))).stored;
    assert.equal(later[0]!.integrity!.prev, fresh[1]!.integrity!.chain);
    await third.close();
  });

  void it('starts the chain on a journal written without a key; earlier seqs are skipped, not missing', async () => {
    const dir = tempDir();
    const plain = await openJournal({ dir });
    await plain.append(accepted(3));
    await plain.close();
    assert.equal(metaVersion(dir), 1);
    const chained = await openJournal({ dir, integrityKey: key, newSinkStart: 'oldest', sinkNames: ['b'] });
    // Raised at once, so an older build refuses the journal instead of cutting it at the first chained record.
    assert.equal(metaVersion(dir), 2);
    const stored = (await chained.append(accepted(2, 4))).stored;
    assert.equal(stored[0]!.integrity!.prev, chainSeed(key.bytes, chained.journalId).toString('hex'));
    const made = await chained.integrity!.checkpoint(0);
    assert.deepEqual(made!.checkpoint.skipped, [[1, 3]]);
    assert.equal(made!.checkpoint.count, 2);
    const all = await everything(chained, 'b');
    assert.deepEqual(
      all.map((r) => [r.seq, r.integrity !== undefined, r.kind]),
      [
        [1, false, undefined],
        [2, false, undefined],
        [3, false, undefined],
        [4, true, undefined],
        [5, true, undefined],
        [6, false, 'checkpoint'],
      ],
    );
    await chained.close();
  });

  void it('journals signed checkpoints that state their own seq, never listed as skipped', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key, newSinkStart: 'oldest' });
    assert.equal(await journal.integrity!.checkpoint(0), undefined, 'nothing chained: no checkpoint');
    await journal.append(accepted(3));
    const one = (await journal.integrity!.checkpoint(1000))!;
    assert.equal(journal.integrity!.sinceCheckpoint, 0);
    await journal.append(accepted(2, 4));
    const two = (await journal.integrity!.checkpoint(2000))!;
    assert.deepEqual(one.checkpoint.skipped, []);
    assert.equal(one.checkpoint.last_seq, 3);
    assert.equal(one.checkpoint.seq, 4);
    assert.deepEqual(two.checkpoint.skipped, [], 'the seq of the first checkpoint is not a skip');
    assert.equal(two.checkpoint.last_seq, 6);
    assert.equal(two.checkpoint.seq, 7);
    assert.equal(two.checkpoint.count, 5);
    assert.equal(two.checkpoint.time, new Date(2000).toISOString());
    assert.ok(checkCheckpoint(two.checkpoint, [key]).ok);
    const all = await everything(journal, 'a');
    const cps = all.filter((r) => r.kind === 'checkpoint');
    assert.deepEqual(
      cps.map((r) => [r.seq, r.id, JSON.parse(r.line) as unknown]),
      [
        [4, `checkpoint-${journal.journalId}-3`, one.checkpoint],
        [7, `checkpoint-${journal.journalId}-6`, two.checkpoint],
      ],
    );
    assertChained(events(all));
    assert.equal(events(all).at(-1)!.integrity!.chain, two.checkpoint.head);
    await journal.close();
    // Reopened: the chain and the count survive in chain.json; still nothing skipped.
    const reopened = await openJournal({ dir, integrityKey: key });
    const [eight] = (await reopened.append(accepted(1, 6))).stored;
    assert.equal(eight!.seq, 8);
    const three = (await reopened.integrity!.checkpoint(3000))!;
    assert.deepEqual(three.checkpoint.skipped, []);
    assert.equal(three.checkpoint.count, 6);
    assert.equal(three.checkpoint.seq, 9);
    await reopened.close();
  });

  void it('keeps the skipped list and chain.json the same size however many checkpoints are made', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key, newSinkStart: 'oldest' });
    const chainFileBytes: number[] = [];
    let made;
    for (let i = 0; i < 50; i++) {
      await journal.append(accepted(2, 1 + i * 2));
      made = (await journal.integrity!.checkpoint(i * 1000))!;
      assert.equal(made.journaled, true);
      // Each checkpoint record follows the two events it covers: seqs 3, 6, 9, …
      assert.equal(made.checkpoint.seq, 3 * (i + 1));
      assert.equal(made.checkpoint.last_seq, 3 * (i + 1) - 1);
      assert.equal(made.checkpoint.count, 2 * (i + 1));
      assert.equal(made.checkpoint.skipped.length, 0, `checkpoint ${i + 1} lists skips`);
      const state = JSON.parse(readFileSync(join(dir, 'chain.json'), 'utf8')) as { skipped: unknown[] };
      assert.equal(state.skipped.length, 0, `chain.json lists skips after checkpoint ${i + 1}`);
      chainFileBytes.push(readFileSync(join(dir, 'chain.json')).length);
    }
    assert.equal(
      Math.max(...chainFileBytes) - Math.min(...chainFileBytes) <= 8,
      true,
      'only its numbers grow',
    );
    const cps = (await everything(journal, 'a')).filter((r) => r.kind === 'checkpoint');
    assert.deepEqual(
      cps.map((r) => r.seq),
      cps.map((r) => (JSON.parse(r.line) as { seq: number }).seq),
      'each checkpoint states the seq its record took',
    );
    assert.equal(cps.length, 50);
    await journal.close();
    const reopened = await openJournal({ dir, integrityKey: key });
    await reopened.append(accepted(1, 101));
    const next = (await reopened.integrity!.checkpoint(99_000))!;
    assert.deepEqual(next.checkpoint.skipped, []);
    assert.equal(next.checkpoint.count, 101);
    await reopened.close();
  });

  void it('never reuses a checkpoint seq whose record a crash kept from being written; it is then skipped', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key, newSinkStart: 'oldest' });
    await journal.append(accepted(3));
    await journal.close();
    // What a checkpoint leaves when the process dies after chain.json and before its record.
    const state = JSON.parse(readFileSync(join(dir, 'chain.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'chain.json'), JSON.stringify({ ...state, through: 4 }) + '\n');
    const reopened = await openJournal({ dir, integrityKey: key });
    const [next] = (await reopened.append(accepted(1, 4))).stored;
    assert.ok(next!.seq > 4, 'seq 4 is not reused');
    const made = (await reopened.integrity!.checkpoint(5000))!;
    assert.deepEqual(made.checkpoint.skipped, [[4, next!.seq - 1]]);
    assert.equal(made.checkpoint.count, 4);
    assert.equal(made.checkpoint.seq, next!.seq + 1);
    await reopened.close();
  });

  void it('reads a chain.json written before checkpoints stated their seq (no count, checkpoint seqs skipped)', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key });
    await journal.append(accepted(3));
    await journal.integrity!.checkpoint(1000);
    await journal.append(accepted(2, 4));
    await journal.close();
    const { count, ...state } = JSON.parse(readFileSync(join(dir, 'chain.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(count, 5);
    writeFileSync(join(dir, 'chain.json'), JSON.stringify({ ...state, skipped: [[4, 4]] }) + '\n');
    const reopened = await openJournal({ dir, integrityKey: key });
    await reopened.append(accepted(1, 6));
    const made = (await reopened.integrity!.checkpoint(2000))!;
    assert.equal(made.checkpoint.count, 6, 'count = head_seq less the skipped seqs below it, then +1');
    assert.deepEqual(made.checkpoint.skipped, [[4, 4]]);
    await reopened.close();
  });

  void it('a checkpoint the journal could not take states seq 0, and its seq goes to the next event', async () => {
    const dir = tempDir();
    // Full (nothing commits for sink a) and shutting down: the checkpoint record cannot be stored.
    const journal = await openJournal({ dir, integrityKey: key, maxBytes: 900, segmentBytes: 4096 });
    const stopped = new AbortController();
    stopped.abort();
    const { stored } = await journal.append(accepted(10), stopped.signal);
    assert.ok(stored.length > 0 && stored.length < 10, 'the journal is full');
    const made = (await journal.integrity!.checkpoint(1000, stopped.signal))!;
    assert.equal(made.journaled, false);
    assert.equal(made.checkpoint.seq, 0, 'no seq: the checkpoint is only in the checkpoint file');
    assert.equal(made.checkpoint.last_seq, stored.at(-1)!.seq);
    assert.ok(checkCheckpoint(made.checkpoint, [key]).ok);
    await journal.close();
    const reopened = await openJournal({ dir, integrityKey: key, sinkNames: [] });
    const [next] = (await reopened.append(accepted(1, 11))).stored;
    assert.equal(
      next!.seq,
      stored.at(-1)!.seq + 1,
      'the seq the checkpoint did not take goes to the next event',
    );
    await reopened.close();
  });
});

void describe('the chain head and garbage collection', () => {
  after(removeAll);

  void it('saves the head in chain.json before GC deletes a segment, so recovery never needs a deleted record', async () => {
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key, segmentBytes: 2048, fsync: 'always' });
    let last: AuditRecord | undefined;
    for (let i = 0; i < 20; i++) last = (await journal.append(accepted(3, 1 + i * 3))).stored.at(-1);
    const cursor = journal.cursor('a');
    await everything(journal, 'a');
    await cursor.commit(last!.seq);
    await until(() => journal.stats().segments === 1, 'GC deleted the older segments');
    const state = JSON.parse(readFileSync(join(dir, 'chain.json'), 'utf8')) as {
      head: string;
      head_seq: number;
    };
    assert.equal(state.head_seq, last!.seq);
    assert.equal(state.head, last!.integrity!.chain);
    await journal.close();
  });
});

void describe('the integrity block in the record layout', () => {
  void it('is refused as corrupt when the record is too short to hold it', async () => {
    const { encodeBatch, checkFrame, decodeFrame, headerBytes } =
      await import('../../src/journal/disk/record-codec.js');
    const e = accepted(1)[0]!;
    const block = Buffer.alloc(64, 7);
    const { buffer, ends } = encodeBatch([e], 9, undefined, [{ block }]);
    const good = buffer.subarray(0, ends[0]);
    assert.equal(checkFrame(good, 0, good.length).kind, 'ok');
    const r = decodeFrame(good, 0, good.length, 'J-');
    assert.deepEqual(r.integrity, { journal: 'J', prev: '07'.repeat(32), chain: '07'.repeat(32) });
    assert.equal(r.line, e.line);
    assert.equal(r.bytes, e.bytes);
    // The same record with the flag set but no room for 64 bytes after the id: corrupt, not a throw.
    const { buffer: plain, ends: plainEnds } = encodeBatch([{ ...e, line: '{}', bytes: 2 }], 9);
    const short = Buffer.from(plain.subarray(0, plainEnds[0]));
    short[headerBytes + 17] = 2;
    const { crc32 } = await import('node:zlib');
    short.writeUInt32LE(crc32(short.subarray(headerBytes)), 4);
    assert.deepEqual(checkFrame(short, 0, short.length), {
      kind: 'corrupt',
      reason: 'integrity block past the record',
    });
  });

  void it('after a reopen, knows the source ids its last segment holds, each once; nothing without a key', async () => {
    const withIds = (n: number, first = 1) =>
      accepted(n, first).map((e, i) => ({ ...e, id: `file-a:${(first + i) * 100}` }));
    const dir = tempDir();
    const journal = await openJournal({ dir, integrityKey: key });
    assert.equal(journal.alreadyJournaled, undefined, 'a fresh journal has nothing to ask');
    await journal.append(withIds(4));
    await journal.close();

    const reopened = await openJournal({ dir, integrityKey: key });
    assert.ok(reopened.alreadyJournaled, 'ids of the last segment are known after a reopen');
    assert.equal(reopened.alreadyJournaled('file-a:200'), true, 'an id the journal holds');
    assert.equal(reopened.alreadyJournaled('file-a:200'), false, 'each id answers true once');
    assert.equal(reopened.alreadyJournaled('file-a:999'), false, 'an id it does not hold');
    await reopened.close();

    const plainDir = tempDir();
    const plain = await openJournal({ dir: plainDir });
    await plain.append(withIds(2));
    await plain.close();
    const plainAgain = await openJournal({ dir: plainDir });
    assert.equal(plainAgain.alreadyJournaled, undefined, 'without a key nothing is collected (zero cost)');
    await plainAgain.close();
  });
});
