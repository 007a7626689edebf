/**
 * The file operations the disk journal uses, behind one small interface so tests can inject
 * faults (ENOSPC, EIO) and observe fsync calls without touching a real disk's limits.
 * Members are function properties (not methods) so they can be passed around unbound.
 * Descriptor-based and positional on purpose: every write says where it goes, so a failed write can
 * be cut back to the last good offset and nothing relies on a shared file position.
 */
import * as fs from 'node:fs';

/** A positional read or write (pread/pwrite): says where, never uses a shared file position. */
export type PositionalIo = (
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
) => Promise<number>;

export interface JournalFs {
  /** Creates the directory (and parents) if missing. */
  readonly mkdir: (path: string, mode: number) => Promise<void>;
  readonly readdir: (path: string) => Promise<string[]>;
  /** Whole-file read; only ever used for the small meta and cursor files. */
  readonly readFile: (path: string) => Promise<Buffer>;
  readonly size: (path: string) => Promise<number>;
  /** Node open flags ('r', 'r+', 'wx', 'w'); returns a descriptor. */
  readonly open: (path: string, flags: string, mode?: number) => Promise<number>;
  /** Reads into buffer[offset, offset+length) from file `position`; resolves with the bytes read. */
  readonly read: PositionalIo;
  /** Writes buffer[offset, offset+length) at file `position`; resolves with the bytes written. */
  readonly write: PositionalIo;
  readonly fsync: (fd: number) => Promise<void>;
  readonly ftruncate: (fd: number, length: number) => Promise<void>;
  readonly close: (fd: number) => Promise<void>;
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly unlink: (path: string) => Promise<void>;
}

const done =
  (resolve: () => void, reject: (e: Error) => void) =>
  (err: Error | null): void =>
    err ? reject(err) : resolve();

const value =
  <T>(resolve: (v: T) => void, reject: (e: Error) => void) =>
  (err: Error | null, v: T): void =>
    err ? reject(err) : resolve(v);

/** The real file system, through the callback API (lighter than FileHandle on the hot path). */
export const nodeJournalFs: JournalFs = {
  mkdir: (path, mode) =>
    new Promise((resolve, reject) =>
      fs.mkdir(path, { recursive: true, mode }, (err) => (err ? reject(err) : resolve())),
    ),
  readdir: (path) => new Promise((resolve, reject) => fs.readdir(path, value(resolve, reject))),
  readFile: (path) => new Promise((resolve, reject) => fs.readFile(path, value(resolve, reject))),
  size: (path) =>
    new Promise((resolve, reject) => fs.stat(path, (err, st) => (err ? reject(err) : resolve(st.size)))),
  open: (path, flags, mode) =>
    new Promise((resolve, reject) => fs.open(path, flags, mode, value(resolve, reject))),
  read: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) => fs.read(fd, buffer, offset, length, position, value(resolve, reject))),
  write: (fd, buffer, offset, length, position) =>
    new Promise((resolve, reject) => fs.write(fd, buffer, offset, length, position, value(resolve, reject))),
  fsync: (fd) => new Promise((resolve, reject) => fs.fsync(fd, done(resolve, reject))),
  ftruncate: (fd, length) =>
    new Promise((resolve, reject) => fs.ftruncate(fd, length, done(resolve, reject))),
  close: (fd) => new Promise((resolve, reject) => fs.close(fd, done(resolve, reject))),
  rename: (from, to) => new Promise((resolve, reject) => fs.rename(from, to, done(resolve, reject))),
  unlink: (path) => new Promise((resolve, reject) => fs.unlink(path, done(resolve, reject))),
};

/** Writes all of buffer[offset, offset+length) at `position`, looping over short writes. */
export async function writeFully(
  fsOps: JournalFs,
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<void> {
  let written = 0;
  while (written < length) {
    const n = await fsOps.write(fd, buffer, offset + written, length - written, position + written);
    if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    written += n;
  }
}

/** Makes renames and unlinks in `dir` durable (Linux: fsync on the directory). */
export async function fsyncDir(fsOps: JournalFs, dir: string): Promise<void> {
  const fd = await fsOps.open(dir, 'r');
  try {
    await fsOps.fsync(fd);
  } finally {
    await fsOps.close(fd);
  }
}

/**
 * Replaces `path` atomically: temp file, optional fsync, rename, optional directory fsync. A crash
 * leaves either the old or the new content, never a mix (a leftover `.tmp` is removed at open).
 * A failure removes the temp file at once, so a full disk is not left holding an empty one.
 */
export async function writeFileAtomic(
  fsOps: JournalFs,
  dir: string,
  path: string,
  data: Buffer,
  sync: boolean,
): Promise<void> {
  const tmp = `${path}.tmp`;
  const fd = await fsOps.open(tmp, 'w', 0o600);
  try {
    try {
      await writeFully(fsOps, fd, data, 0, data.length, 0);
      if (sync) await fsOps.fsync(fd);
    } finally {
      await fsOps.close(fd);
    }
    await fsOps.rename(tmp, path);
  } catch (err) {
    await fsOps.unlink(tmp).catch(() => undefined);
    throw err;
  }
  if (sync) await fsyncDir(fsOps, dir);
}

/**
 * Overwrites a small existing file in place with one positional write at offset 0, padding `data`
 * with spaces before its final newline so the file never shrinks (no truncate, no half-old tail).
 * It needs no free block (the file already owns one), which is why a full disk uses it. A process
 * crash leaves the old or the new content (one write of under a block); a torn write after a power
 * loss is possible in theory and makes the file unparseable, never a different valid value.
 * Refuses files larger than `maxBytes` (they would need a truncate).
 */
export async function overwriteInPlace(
  fsOps: JournalFs,
  path: string,
  data: Buffer,
  sync: boolean,
  maxBytes = 512,
): Promise<void> {
  const size = await fsOps.size(path);
  if (size > maxBytes || data.length > maxBytes) {
    throw Object.assign(new Error(`${path} is too large to overwrite in place`), { code: 'EFBIG' });
  }
  let body = data;
  if (size > data.length) {
    body = Buffer.alloc(size, 0x20);
    data.copy(body, 0, 0, data.length - 1);
    body[size - 1] = data[data.length - 1]!;
  }
  const fd = await fsOps.open(path, 'r+');
  try {
    await writeFully(fsOps, fd, body, 0, body.length, 0);
    if (sync) await fsOps.fsync(fd);
  } finally {
    await fsOps.close(fd);
  }
}

/** The file system has no room left for us: no space, or the user's quota is used up. */
export function isDiskFull(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}
