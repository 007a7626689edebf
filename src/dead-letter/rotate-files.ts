/**
 * Size rotation of the dead-letter file: `path.N` → `path.N+1` for every rotated file, newest last,
 * then `path` → `path.1`. With `maxFiles: 0` nothing is ever deleted; a limit deletes the oldest
 * files and says so in a warning (evidence is never removed silently).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observe/logger.js';

/** Shifts the rotated files up by one and moves `file` to `file.1`; the caller reopens `file`. */
export async function rotateFiles(file: string, maxFiles: number, logger: Logger): Promise<void> {
  const rotated = await listRotated(file);
  for (let n = rotated.at(-1) ?? 0; n >= 1; n--) {
    if (!rotated.includes(n)) continue;
    if (maxFiles > 0 && n >= maxFiles) {
      await fsp.rm(`${file}.${n}`, { force: true });
      logger.warn('dead-letter file deleted by rotation (dead_letter.max_files)', {
        path: `${file}.${n}`,
        max_files: maxFiles,
      });
    } else {
      await fsp.rename(`${file}.${n}`, `${file}.${n + 1}`);
    }
  }
  await fsp.rename(file, `${file}.1`);
}

async function listRotated(file: string): Promise<number[]> {
  const base = path.basename(file);
  const entries = await fsp.readdir(path.dirname(file));
  const numbers: number[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(base + '.')) continue;
    const n = Number(entry.slice(base.length + 1));
    if (Number.isInteger(n) && n > 0) numbers.push(n);
  }
  return numbers.sort((a, b) => a - b);
}
