/**
 * Per-sink cursor files: `cursor-<encoded sink name>.json` holding {"sink", "committedSeq"}, one small
 * file per sink, replaced atomically (temp + [fsync] + rename + [dir fsync]) so a crash leaves the
 * old or the new value, never a torn one. Writes are coalesced: while one is in flight, later
 * commits only raise the target, and the next write carries the highest value.
 *
 * On a full disk (ENOSPC, EDQUOT) there may be no block for the temp file, yet GC can free space
 * only once cursors are written past a segment: so the existing file is overwritten in place
 * instead (it already owns its block; see overwriteInPlace). Without that, sinks that caught up
 * on a 100 % full disk could never let GC free anything.
 */
import { join } from 'node:path';
import type { Logger } from '../../observe/logger.js';
import type { JournalFs } from './fs.js';
import { errorCode, isDiskFull, overwriteInPlace, writeFileAtomic } from './fs.js';

const prefix = 'cursor-';
const suffix = '.json';

/** Sink names are config keys; anything outside [A-Za-z0-9_-] is %-encoded byte by byte. */
export function cursorFileName(sinkName: string): string {
  let out = '';
  for (const byte of Buffer.from(sinkName, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `${prefix}${out}${suffix}`;
}

/** Sink name of a cursor file name, or undefined for other files. */
export function parseCursorFileName(name: string): string | undefined {
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return undefined;
  try {
    return decodeURIComponent(name.slice(prefix.length, -suffix.length));
  } catch {
    return undefined;
  }
}

/** Committed seqs from every cursor file in `dir`; unreadable files map to undefined (and are logged). */
export async function loadCursors(
  fsOps: JournalFs,
  dir: string,
  names: readonly string[],
  logger: Logger,
): Promise<Map<string, number | undefined>> {
  const out = new Map<string, number | undefined>();
  for (const name of names) {
    const sink = parseCursorFileName(name);
    if (sink === undefined) continue;
    try {
      const parsed = JSON.parse((await fsOps.readFile(join(dir, name))).toString('utf8')) as {
        committedSeq?: unknown;
      };
      const seq = parsed.committedSeq;
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
        throw new Error('no committedSeq');
      out.set(sink, seq);
    } catch (err) {
      logger.warn('journal: unreadable cursor file; the sink restarts from the oldest retained record', {
        sink,
        file: name,
        error: errorCode(err),
      });
      out.set(sink, undefined);
    }
  }
  return out;
}

export interface CursorPersister {
  /** The highest value known to be written (renamed into place). */
  readonly persisted: number;
  /** Writes a value >= seq; resolves once written (and fsynced when `sync`). */
  persist(seq: number, sync: boolean): Promise<void>;
}

export function createCursorPersister(
  fsOps: JournalFs,
  dir: string,
  sinkName: string,
  initial: number,
): CursorPersister {
  const path = join(dir, cursorFileName(sinkName));
  let persisted = initial;
  let syncedUpTo = initial; // an existing file was durable when read
  let target = initial;
  let targetSync = false;
  let running: Promise<void> | undefined;

  const pump = async (): Promise<void> => {
    while (persisted < target || (targetSync && syncedUpTo < target)) {
      const seq = target;
      const sync = targetSync;
      targetSync = false;
      const body = Buffer.from(JSON.stringify({ sink: sinkName, committedSeq: seq }) + '\n');
      try {
        await writeFileAtomic(fsOps, dir, path, body, sync);
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        try {
          await overwriteInPlace(fsOps, path, body, sync);
        } catch {
          throw err; // the disk-full error is the one worth logging
        }
      }
      persisted = seq;
      if (sync) syncedUpTo = seq;
    }
  };

  return {
    get persisted() {
      return persisted;
    },
    async persist(seq, sync) {
      if (seq > target) target = seq;
      if (sync) targetSync = true;
      for (;;) {
        if (persisted >= seq && (!sync || syncedUpTo >= seq)) return;
        if (!running) {
          running = pump().finally(() => {
            running = undefined;
          });
        }
        await running;
      }
    },
  };
}
