/**
 * Committed file positions, in one JSON file in the data directory. Written atomically (tmp file,
 * fsync, rename, fsync of the directory), so a crash leaves either the old or the new file. The
 * file input moves an entry only when a batch is settled `stored`; this store only keeps them.
 *
 * Entries are keyed by file identity (see fingerprint.ts), not path, so a rotated file keeps its
 * position under its new name. An entry not touched for `retentionMs` (its file long closed and
 * gone) is dropped at the next save.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';

export interface FilePosition {
  /** Byte offset of the first byte not yet stored. */
  readonly offset: number;
  /** Lines before `offset` (for dead-letter line numbers after a restart). */
  readonly line: number;
  /** Where the file was when last read (to find its rotated copy after a restart). */
  readonly path: string;
  /** Clock time of the last update. */
  readonly seen: number;
}

export interface PositionsStore {
  /** True when no positions file existed: the input's first start. */
  readonly firstStart: boolean;
  get(identity: string): FilePosition | undefined;
  set(identity: string, position: FilePosition): void;
  delete(identity: string): void;
  entries(): IterableIterator<[string, FilePosition]>;
  readonly dirty: boolean;
  save(now: number): Promise<void>;
}

const VERSION = 1;

export async function openPositionsStore(path: string, retentionMs: number): Promise<PositionsStore> {
  const positions = new Map<string, FilePosition>();
  let firstStart = false;
  let text: string | undefined;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    firstStart = true;
  }
  if (text !== undefined) {
    let parsed: { version?: unknown; files?: Record<string, FilePosition> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new Error(
        `file positions ${path} are not valid JSON (${(error as Error).message}); move it away to start over`,
      );
    }
    if (parsed.version !== VERSION || typeof parsed.files !== 'object' || parsed.files === null) {
      throw new Error(`file positions ${path} have an unknown layout (version ${String(parsed.version)})`);
    }
    for (const [identity, entry] of Object.entries(parsed.files)) positions.set(identity, entry);
  }
  let dirty = false;

  return {
    firstStart,
    get: (identity) => positions.get(identity),
    set(identity, position) {
      positions.set(identity, position);
      dirty = true;
    },
    delete(identity) {
      dirty = positions.delete(identity) || dirty;
    },
    entries: () => positions.entries(),
    get dirty() {
      return dirty;
    },
    async save(now) {
      for (const [identity, entry] of positions)
        if (now - entry.seen > retentionMs) positions.delete(identity);
      const files = Object.fromEntries(positions);
      dirty = false;
      const tmp = `${path}.tmp`;
      await fsp.mkdir(dirname(path), { recursive: true });
      const handle = await fsp.open(tmp, 'w');
      try {
        await handle.writeFile(JSON.stringify({ version: VERSION, files }) + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(tmp, path);
      const dir = await fsp.open(dirname(path), 'r');
      try {
        await dir.sync().catch(() => undefined); // not every platform can fsync a directory
      } finally {
        await dir.close();
      }
    },
  };
}
