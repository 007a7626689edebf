/**
 * One journal directory, one process: the second opener is refused at once with the holder's pid,
 * a clean close leaves no lock behind, a lock file left by a process that is gone is taken over
 * with a warning, and a probe tells who holds a directory without touching it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { JournalLockedError, LOCK_FILE, probeJournalLock } from '../../src/journal/disk/lock.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';
import { accepted } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

void describe('journal lock', () => {
  afterEach(removeAll);

  void it('refuses a second journal on the same directory, naming the holder, until the first closes', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir });
    const ids = (await first.append(accepted(2))).stored.map((r) => r.id);

    await assert.rejects(openJournal({ dir }), (error: unknown) => {
      assert.ok(error instanceof JournalLockedError);
      assert.equal(error.code, 'WS_ERR_LOCKED');
      assert.equal(error.holder.pid, process.pid);
      assert.match(
        error.message,
        new RegExp(`^another wirety-ship \\(pid ${process.pid}\\b.*\\) uses ${dir}$`),
      );
      return true;
    });
    // The refused opener changed nothing: the first goes on handing out its own seqs.
    const more = (await first.append(accepted(2, 3))).stored.map((r) => r.id);
    assert.equal(new Set([...ids, ...more]).size, 4);
    await first.close();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'a clean close removes the lock file');

    const second = await openJournal({ dir });
    assert.deepEqual(
      (await second.append(accepted(1, 5))).stored.map((r) => r.seq),
      [5],
    );
    await second.close();
  });

  void it('takes over a lock file left by a process that is gone (crash, kill -9, reboot), with a warning', async () => {
    const dir = tempDir();
    // What a holder on another boot (or one killed with -9) leaves: its record, but no kernel lock.
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid: 4_000_000, hostname: 'old-pod', startedAt: '2026-01-01T00:00:00.000Z' }) + '\n',
    );
    const logger = createMemoryLogger();
    const clock = createFakeClock(Date.parse('2026-02-03T04:05:06.000Z'));
    const journal = await openJournal({ dir, logger, clock });
    const warning = logger.entries.find((e) => e.level === 'warn' && /taking over the lock/.test(e.message));
    assert.ok(warning, 'the takeover is logged');
    assert.equal(warning.fields?.previous_pid, 4_000_000);
    assert.equal(warning.fields?.previous_host, 'old-pod');
    assert.deepEqual(await probeJournalLock(dir), {
      pid: process.pid,
      hostname: hostname(),
      startedAt: '2026-02-03T04:05:06.000Z',
    });
    await journal.close();
  });

  void it('probes without creating or changing anything', async () => {
    const dir = tempDir();
    assert.equal(await probeJournalLock(join(dir, 'missing')), undefined);
    assert.equal(await probeJournalLock(dir), undefined);
    assert.deepEqual(readdirSync(dir), [], 'no lock file was created by the probe');

    const journal = await openJournal({ dir });
    assert.equal((await probeJournalLock(dir))?.pid, process.pid);
    await journal.append(accepted(1)); // the probe did not disturb the holder
    await journal.close();

    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_000_000 }));
    assert.equal(await probeJournalLock(dir), undefined, 'a file nobody locks is no lock');
    const opened = await openJournal({ dir });
    await opened.close();
  });
});
