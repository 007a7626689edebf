/**
 * A real small file system for end-to-end disk-full tests: a tmpfs of a given size mounted on an
 * empty directory. Mounting needs root (CAP_SYS_ADMIN); where that is not allowed (CI as a normal
 * user, most containers) the result says why, and the test skips with that message. The unit
 * tests (test/journal/disk-full.test.ts, test/dead-letter, test/pipeline) cover the same behaviour
 * with an injected full disk, so nothing depends on this being possible.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallFs {
  readonly path: string;
  /** Writes a filler file until the file system is full (ENOSPC). */
  fill(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountSmallTmpfs(dir: string, size: string): Promise<SmallFs | { skip: string }> {
  if (process.platform !== 'linux') return { skip: 'tmpfs mounts need Linux' };
  if (process.getuid?.() !== 0) return { skip: 'mounting a small tmpfs needs root; not running as root' };
  await mkdir(dir, { recursive: true });
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { timeout: 10_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    return { skip: `cannot mount a tmpfs here: ${detail}` };
  }
  return {
    path: dir,
    async fill() {
      try {
        await writeFile(path.join(dir, 'filler'), Buffer.alloc(8 * 1024 * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    async unmount() {
      // Lazy as a fallback: a child that is still exiting may hold a file open for a moment.
      await run('umount', [dir], { timeout: 10_000 }).catch(() => run('umount', ['-l', dir]));
    },
  };
}
