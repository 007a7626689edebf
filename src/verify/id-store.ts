/**
 * Event ids kept on disk while millions of events are sorted: an append-only file of UTF-8 ids,
 * each named by (offset, length). Only the ids of events a report names are ever read back.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CHUNK_BYTES = 1 << 20;
/** Longer ids are cut (the report says so with "…"): the record has 16 bits for the length. */
export const MAX_ID_BYTES = 65_535;

export interface IdStore {
  /** Appends an id; returns its offset and byte length. */
  put(id: string): { offset: number; length: number };
  get(offset: number, length: number): string;
  close(): void;
}

export function createIdStore(tempDir?: string): IdStore {
  let dir: string | undefined;
  let fd: number | undefined;
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  /** Bytes already in the file. */
  let flushed = 0;

  const flush = (): void => {
    if (used === 0) return;
    if (fd === undefined) {
      dir = mkdtempSync(path.join(tempDir ?? tmpdir(), 'wirety-ship-verify-ids-'));
      fd = openSync(path.join(dir, 'ids'), 'w+', 0o600);
    }
    for (let at = 0; at < used;) at += writeSync(fd, chunk, at, used - at, flushed + at);
    flushed += used;
    used = 0;
  };

  return {
    put(id) {
      let bytes = Buffer.from(id, 'utf8');
      if (bytes.length > MAX_ID_BYTES) bytes = bytes.subarray(0, MAX_ID_BYTES);
      if (used + bytes.length > chunk.length) {
        flush();
        if (bytes.length > chunk.length) chunk = Buffer.allocUnsafe(bytes.length);
      }
      const offset = flushed + used;
      bytes.copy(chunk, used);
      used += bytes.length;
      return { offset, length: bytes.length };
    },
    get(offset, length) {
      if (length === 0) return '';
      if (offset >= flushed) return chunk.toString('utf8', offset - flushed, offset - flushed + length);
      const out = Buffer.allocUnsafe(length);
      readSync(fd!, out, 0, length, offset);
      return out.toString('utf8');
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      fd = undefined;
    },
  };
}
