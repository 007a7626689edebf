/**
 * Writes whole batches of records at the end of the active segment, and rolls to a new segment.
 * Invariant: `active.size` only ever covers whole, valid records. A failed write (ENOSPC, EIO) is cut
 * back to that offset before the error is reported; if even the cut fails, the segment is marked
 * so the next write starts a new segment, and readers never look past `active.size`.
 */
import { join } from 'node:path';
import type { JournalFs } from './fs.js';
import { fsyncDir, writeFully } from './fs.js';
import type { SegmentEntry } from './segment-files.js';
import { segmentName } from './segment-files.js';

export interface SegmentWriter {
  readonly active: SegmentEntry;
  /** The active segment has bytes past `active.size` that could not be cut: write elsewhere next. */
  readonly mustRoll: boolean;
  /** Appends buffer[start, end) at the end of the active segment. */
  write(buffer: Buffer, start: number, end: number): Promise<void>;
  /** Seals the active segment (fsynced first unless `durable` is false) and starts a new one. */
  roll(firstSeq: number): Promise<void>;
  /** fsync of the active segment, when anything was written since the last one. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface SegmentWriterOptions {
  readonly fs: JournalFs;
  readonly dir: string;
  /** Shared with readers and GC; the writer appends new segments to it. */
  readonly segments: SegmentEntry[];
  /** fsync policies 'always' and 'interval': make rolls durable (old segment and the new file's name). */
  readonly durable: boolean;
}

export async function createSegmentWriter(
  options: SegmentWriterOptions,
  firstSeqIfEmpty: number,
): Promise<SegmentWriter> {
  const { fs: fsOps, dir, segments, durable } = options;
  let active: SegmentEntry;
  let fd: number;
  let dirty = false;
  let mustRoll = false;
  // fsync may run beside a write (the OS allows it) but must finish before its descriptor closes.
  let syncing: Promise<void> | undefined;

  const create = async (firstSeq: number): Promise<{ entry: SegmentEntry; fd: number }> => {
    const path = join(dir, segmentName(firstSeq));
    const newFd = await fsOps.open(path, 'wx', 0o600);
    try {
      if (durable) await fsyncDir(fsOps, dir);
    } catch (err) {
      await fsOps.close(newFd);
      throw err;
    }
    return { entry: { firstSeq, path, size: 0, sealed: false }, fd: newFd };
  };

  const last = segments.at(-1);
  if (last) {
    active = last;
    fd = await fsOps.open(last.path, 'r+');
  } else {
    const created = await create(firstSeqIfEmpty);
    active = created.entry;
    fd = created.fd;
    segments.push(active);
  }

  return {
    get active() {
      return active;
    },
    get mustRoll() {
      return mustRoll;
    },
    async write(buffer, start, end) {
      const at = active.size;
      try {
        dirty = true;
        await writeFully(fsOps, fd, buffer, start, end - start, at);
      } catch (err) {
        try {
          await fsOps.ftruncate(fd, at);
        } catch {
          mustRoll = true;
        }
        throw err;
      }
      active.size = at + (end - start);
    },
    async roll(firstSeq) {
      const next = await create(firstSeq);
      const old = active;
      const oldFd = fd;
      active = next.entry;
      fd = next.fd;
      segments.push(active);
      old.sealed = true;
      mustRoll = false;
      const wasDirty = dirty;
      dirty = false;
      try {
        await syncing?.catch(() => undefined);
        if (durable && wasDirty) await fsOps.fsync(oldFd);
      } finally {
        await fsOps.close(oldFd);
      }
    },
    async sync() {
      if (syncing) await syncing.catch(() => undefined);
      if (!dirty) return;
      dirty = false;
      const current = fsOps.fsync(fd);
      syncing = current;
      try {
        await current;
      } catch (err) {
        dirty = true;
        throw err;
      } finally {
        if (syncing === current) syncing = undefined;
      }
    },
    async close() {
      await syncing?.catch(() => undefined);
      await fsOps.close(fd);
    },
  };
}
