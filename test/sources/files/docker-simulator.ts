/**
 * Writes a container's log the way Docker's json-file driver does: one JSON record per line, `<`,
 * `>`, `&` escaped as `\u003c` etc. (Go's encoder), lines over 16 KiB cut into records whose `log`
 * has no trailing `\n`; rotation shifts `.1` → `.2` … and renames the file to `.1` (max-file ≥ 2) or unlinks and recreates
 * it (max-file = 1).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

export interface DockerSimulator {
  readonly file: string;
  writeLine(content: string, stream?: 'stdout' | 'stderr'): Promise<void>;
  rotate(maxFile: number): Promise<void>;
}

const goEscape = (json: string) =>
  json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function createDockerSimulator(root: string, id = 'a'.repeat(64)): DockerSimulator {
  const dir = join(root, id);
  const file = join(dir, `${id}-json.log`);
  let tick = 0;
  return {
    file,
    async writeLine(content, stream = 'stdout') {
      await fsp.mkdir(dir, { recursive: true });
      const pieces: string[] = [];
      for (let at = 0; at < content.length; at += 16 * 1024) pieces.push(content.slice(at, at + 16 * 1024));
      if (pieces.length === 0) pieces.push('');
      const records = pieces.map((piece, i) => {
        const log = i === pieces.length - 1 ? piece + '\n' : piece;
        const time = `2026-12-01T10:00:00.${String(++tick).padStart(9, '0')}Z`;
        return goEscape(JSON.stringify({ log, stream, time })) + '\n';
      });
      await fsp.appendFile(file, records.join(''));
    },
    async rotate(maxFile) {
      if (maxFile === 1) await fsp.unlink(file);
      else {
        // `.N-1` → `.N`, …, `.1` → `.2` (the oldest, `.{max-file - 1}`, is replaced), then the file → `.1`.
        for (let n = maxFile - 1; n >= 2; n--)
          await fsp.rename(`${file}.${n - 1}`, `${file}.${n}`).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
        await fsp.rename(file, `${file}.1`);
      }
      await fsp.writeFile(file, '');
    },
  };
}
