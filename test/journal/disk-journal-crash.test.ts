import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { AuditRecord } from '../../src/audit/record.js';
import { chainOf, chainSeed } from '../../src/integrity/chain.js';
import { parseKey } from '../../src/integrity/key.js';
import { accepted } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const fixture = fileURLToPath(new URL('./fixtures/append-loop.ts', import.meta.url));

/** Runs the append loop until it has acknowledged `stopAfter` records, then SIGKILLs it. */
async function appendThenKill(
  dir: string,
  fsync: string,
  stopAfter: number,
  keyHex?: string,
): Promise<{ id: string; acked: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fixture, dir, fsync, ...(keyHex ? [keyHex] : [])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const acked: number[] = [];
  let id = '';
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('journal ')) id = line.slice(8);
      else acked.push(Number(line));
      if (acked.length >= stopAfter) break;
    }
  } finally {
    child.kill('SIGKILL');
    clearTimeout(timer);
    await exited;
  }
  assert.ok(acked.length >= stopAfter, `the child stopped early: ${stderr}`);
  return { id, acked };
}

void describe('disk journal and kill -9', () => {
  after(removeAll);

  for (const fsync of ['interval', 'never']) {
    void it(`keeps every acknowledged record, byte-identical, when the writer is SIGKILLed (fsync ${fsync})`, async () => {
      const dir = tempDir();
      const stopAfter = 500 + Math.floor(Math.random() * 4000);
      const { id, acked } = await appendThenKill(dir, fsync, stopAfter);

      const journal = await openJournal({ dir, sinkNames: ['check'], newSinkStart: 'oldest' });
      assert.equal(journal.journalId, id);
      const bySeq = new Map<number, AuditRecord>();
      const cursor = journal.cursor('check');
      for (
        let got = await cursor.take(5000, 1 << 30);
        got.length > 0;
        got = await cursor.take(5000, 1 << 30)
      ) {
        for (const r of got) bySeq.set(r.seq, r);
      }
      for (const seq of acked) {
        const r = bySeq.get(seq);
        assert.ok(r, `acknowledged seq ${seq} is missing (killed after ${stopAfter})`);
        const expected = accepted(1, seq)[0]!;
        assert.equal(r.line, expected.line);
        assert.equal(r.id, `${id}-${seq}`);
        assert.equal(r.receivedAtMs, expected.receivedAtMs);
      }
      const next = await journal.append(accepted(1));
      assert.ok(next.stored[0]!.seq > Math.max(...acked), 'seqs continue past everything acknowledged');
      await journal.close();
    });
  }

  void it('continues the integrity chain across kill -9: the first event after links to the last one kept', async () => {
    const dir = tempDir();
    const keyHex = '3c'.repeat(32);
    const key = parseKey(keyHex, 'test');
    const { acked } = await appendThenKill(dir, 'interval', 300 + Math.floor(Math.random() * 1500), keyHex);
    const journal = await openJournal({
      dir,
      sinkNames: ['check'],
      newSinkStart: 'oldest',
      integrityKey: key,
    });
    const kept: AuditRecord[] = [];
    const cursor = journal.cursor('check');
    for (let got = await cursor.take(5000, 1 << 30); got.length > 0; got = await cursor.take(5000, 1 << 30)) {
      kept.push(...got);
    }
    assert.ok(kept.length >= acked.length);
    const next = (await journal.append(accepted(2, 1_000_000))).stored;
    const all = [...kept, ...next];
    assert.equal(all[0]!.integrity!.prev, chainSeed(key.bytes, journal.journalId).toString('hex'));
    for (let i = 0; i < all.length; i++) {
      const r = all[i]!;
      assert.equal(r.integrity!.chain, chainOf(key.bytes, r.integrity!.prev, r.seq, JSON.parse(r.line)));
      if (i > 0)
        assert.equal(r.integrity!.prev, all[i - 1]!.integrity!.chain, `seq ${r.seq} links to the one before`);
    }
    assert.ok(next[0]!.seq > kept.at(-1)!.seq + 1, 'the restart skipped seqs (reservation)');
    const made = (await journal.integrity!.checkpoint(0))!;
    assert.deepEqual(made.checkpoint.skipped, [[kept.at(-1)!.seq + 1, next[0]!.seq - 1]]);
    assert.equal(made.checkpoint.count, all.length);
    await journal.close();
  });
});
