/**
 * One journal directory belongs to one process: an exclusive lock on `<dir>/lock`, taken at open
 * before anything else in the directory is read or written, and held until the journal closes.
 *
 * Invariants:
 * - The lock is a kernel lock on the open file (fs-native-extensions: Linux open-file-description
 *   locks, fcntl on macOS, LockFileEx on Windows), not the file's existence. The kernel drops it
 *   when the process ends in any way (exit, crash, kill -9, OOM kill, reboot), so a lock is never
 *   stale and nothing guesses from pids or timeouts. It also holds across containers sharing a
 *   volume on one host, where pids mean nothing.
 * - The file records the holder (pid, host, start time) for the message of a process that is
 *   refused, and for the warning of one that takes over. A clean release deletes the file, so a
 *   file found with a holder in it names a process that did not release it: a crash or a reboot.
 * - Acquiring checks that the locked file is still the one at the path (a holder that is releasing
 *   deletes it), so two processes can never hold locks on two different files of the same name.
 * - A second process never waits: JournalLockedError at once (the CLI exits 74).
 * - `probeJournalLock` answers "is it locked, and by whom?" without creating or changing anything.
 * - Where the native lock cannot load (an unsupported platform), a warning says the directory is
 *   used unlocked; nothing else changes.
 */
import { constants } from 'node:fs';
import { open, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../observe/logger.js';

export const LOCK_FILE = 'lock';

/** What a holder writes into the lock file. Every field is optional when read back. */
export interface LockHolder {
  readonly pid?: number;
  readonly hostname?: string;
  readonly startedAt?: string;
}

export class JournalLockedError extends Error {
  readonly code = 'WS_ERR_LOCKED';

  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(`another wirety-ship (${describeHolder(holder)}) uses ${dir}`);
    this.name = 'JournalLockedError';
  }
}

export interface JournalLock {
  /** Deletes the lock file and drops the lock. Idempotent. */
  release(): Promise<void>;
}

interface NativeLocks {
  tryLock(fd: number, options?: { shared?: boolean }): boolean;
}

let native: Promise<NativeLocks | undefined> | undefined;
/** The native addon, loaded once; undefined where it has no build for this platform. */
const loadNative = (): Promise<NativeLocks | undefined> =>
  (native ??= import('fs-native-extensions').then(
    (m) => m,
    () => undefined,
  ));

export function describeHolder(holder: LockHolder): string {
  const host =
    holder.hostname !== undefined && holder.hostname !== hostname() ? ` on host ${holder.hostname}` : '';
  const since = holder.startedAt !== undefined ? `, started ${holder.startedAt}` : '';
  return `pid ${holder.pid ?? 'unknown'}${host}${since}`;
}

function tryLock(locks: NativeLocks, fd: number, shared: boolean): boolean {
  try {
    return locks.tryLock(fd, { shared });
  } catch (error) {
    // POSIX lets F_SETLK report a conflict as EACCES as well as EAGAIN.
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return false;
    throw error;
  }
}

async function readHolder(handle: FileHandle): Promise<LockHolder> {
  const buffer = Buffer.alloc(4096);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  try {
    const parsed = JSON.parse(buffer.subarray(0, bytesRead).toString('utf8')) as Record<string, unknown>;
    return {
      ...(Number.isSafeInteger(parsed.pid) ? { pid: parsed.pid as number } : {}),
      ...(typeof parsed.hostname === 'string' ? { hostname: parsed.hostname } : {}),
      ...(typeof parsed.startedAt === 'string' ? { startedAt: parsed.startedAt } : {}),
    };
  } catch {
    return {}; // empty (a holder between locking and writing) or not ours: nothing to name
  }
}

/** True when `handle` is the file now at `path` (not one a releasing holder just deleted). */
async function isAtPath(handle: FileHandle, path: string): Promise<boolean> {
  const [held, current] = await Promise.all([handle.stat(), stat(path).catch(() => undefined)]);
  return current !== undefined && current.ino === held.ino && current.dev === held.dev;
}

/** Takes the lock of `dir` (which must exist) or throws JournalLockedError. */
export async function lockJournalDir(
  dir: string,
  deps: { readonly logger: Logger; readonly now: () => number },
): Promise<JournalLock> {
  const locks = await loadNative();
  if (!locks) {
    deps.logger.warn(
      'journal: file locks are not available on this platform; make sure no other wirety-ship uses this directory',
      { dir },
    );
    return { release: () => Promise.resolve() };
  }
  const path = join(dir, LOCK_FILE);
  // A retry is needed only when a holder deleted the file between our open and our lock.
  for (let attempt = 0; attempt < 10; attempt++) {
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    let held = false;
    try {
      if (!tryLock(locks, handle.fd, false)) throw new JournalLockedError(dir, await readHolder(handle));
      if (!(await isAtPath(handle, path))) continue;
      const previous = await readHolder(handle);
      if (previous.pid !== undefined) {
        deps.logger.warn(
          'journal: taking over the lock of a wirety-ship that did not release it (it crashed, was killed, or the machine restarted)',
          {
            dir,
            previous_pid: previous.pid,
            ...(previous.hostname !== undefined ? { previous_host: previous.hostname } : {}),
            ...(previous.startedAt !== undefined ? { previous_started_at: previous.startedAt } : {}),
          },
        );
      }
      const me = { pid: process.pid, hostname: hostname(), startedAt: new Date(deps.now()).toISOString() };
      await handle.truncate(0);
      await handle.write(JSON.stringify(me) + '\n', 0);
      held = true;
      let released: Promise<void> | undefined;
      return {
        release: () =>
          (released ??= (async () => {
            await unlink(path).catch(() => undefined); // before closing: see isAtPath
            await handle.close();
          })()),
      };
    } finally {
      if (!held) await handle.close();
    }
  }
  throw new JournalLockedError(dir, {});
}

/** Who holds the lock of `dir`, or undefined when nobody does. Creates and changes nothing. */
export async function probeJournalLock(dir: string): Promise<LockHolder | undefined> {
  const locks = await loadNative();
  if (!locks) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(join(dir, LOCK_FILE), 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // a holder always has the file
    throw error;
  }
  try {
    // A shared lock conflicts only with a holder's exclusive one; closing the file drops it.
    return tryLock(locks, handle.fd, true) ? undefined : await readHolder(handle);
  } finally {
    await handle.close();
  }
}
