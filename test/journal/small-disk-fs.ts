/**
 * A JournalFs over the real one that behaves like a small disk: every file costs whole 4 KiB
 * blocks, and a write that needs more blocks than are free writes what fits (a short write, as
 * Linux does) and then fails with ENOSPC. Truncating, deleting and renaming free blocks the way a
 * file system does, so tests can fill the journal's disk exactly and watch it being freed.
 */
import type { JournalFs } from '../../src/journal/disk/fs.js';
import { nodeJournalFs } from '../../src/journal/disk/fs.js';

export const blockBytes = 4096;

export interface SmallDiskFs extends JournalFs {
  /** Blocks in use by the files written through this fs. */
  usedBlocks(): number;
  /** Total blocks; lowering it below usedBlocks() makes the disk full (another writer took the space). */
  capacityBlocks: number;
}

const blocksOf = (bytes: number): number => Math.ceil(bytes / blockBytes);

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

export function createSmallDiskFs(capacityBlocks: number, base: JournalFs = nodeJournalFs): SmallDiskFs {
  const sizes = new Map<string, number>();
  const pathOf = new Map<number, string>();
  const used = (): number => [...sizes.values()].reduce((n, size) => n + blocksOf(size), 0);

  const disk: SmallDiskFs = {
    ...base,
    capacityBlocks,
    usedBlocks: used,
    async open(path, flags, mode) {
      if (flags !== 'r' && !sizes.has(path)) {
        sizes.set(path, flags.startsWith('w') ? 0 : await base.size(path));
      }
      const fd = await base.open(path, flags, mode);
      if (flags === 'w') sizes.set(path, 0);
      pathOf.set(fd, path);
      return fd;
    },
    async write(fd, buffer, offset, length, position) {
      const path = pathOf.get(fd);
      if (path === undefined || !sizes.has(path)) return base.write(fd, buffer, offset, length, position);
      const size = sizes.get(path)!;
      const free = disk.capacityBlocks - used();
      const room = (blocksOf(size) + Math.max(0, free)) * blockBytes - position;
      if (room <= 0) throw enospc();
      const n = await base.write(fd, buffer, offset, Math.min(length, room), position);
      sizes.set(path, Math.max(size, position + n));
      return n;
    },
    async ftruncate(fd, length) {
      await base.ftruncate(fd, length);
      const path = pathOf.get(fd);
      if (path !== undefined && sizes.has(path)) sizes.set(path, length);
    },
    async close(fd) {
      pathOf.delete(fd);
      await base.close(fd);
    },
    async rename(from, to) {
      await base.rename(from, to);
      const size = sizes.get(from);
      sizes.delete(from);
      if (size !== undefined) sizes.set(to, size);
    },
    async unlink(path) {
      await base.unlink(path);
      sizes.delete(path);
    },
  };
  return disk;
}
