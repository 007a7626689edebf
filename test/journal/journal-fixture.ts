/**
 * Temp directories and journal factories for the disk journal tests. Every directory made here is
 * removed by `removeAll()` (call it in after/afterEach).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiskJournal, DiskJournalOptions } from '../../src/journal/disk/disk-journal.js';
import { createDiskJournal } from '../../src/journal/disk/disk-journal.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFakeClock } from '../helpers/fake-clock.js';

const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wirety-journal-'));
  dirs.push(dir);
  return dir;
}

export function removeAll(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export type JournalTestOptions = Partial<DiskJournalOptions> & Pick<DiskJournalOptions, 'dir'>;

/** A journal with test-friendly defaults: fsync never, fake clock, memory logger, big limits. */
export function openJournal(options: JournalTestOptions): Promise<DiskJournal> {
  return createDiskJournal({
    sinkNames: ['a'],
    fsync: 'never',
    fsyncIntervalMs: 1000,
    maxBytes: 1 << 30,
    segmentBytes: 1 << 20,
    whenFull: 'block',
    newSinkStart: 'head',
    clock: createFakeClock(),
    logger: createMemoryLogger(),
    ...options,
  });
}
