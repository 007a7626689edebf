/**
 * Writes a container's log the way the kubelet and its runtime do: CRI lines (containerd: trimmed
 * fraction + `Z`, 16 KiB pieces; CRI-O: 9 digits + `+00:00`, 8 KiB pieces), and rotation exactly as
 * `container_log_manager.go`: gzip the previous plain rotated file (`X.tmp` → `X.gz`, unlink `X`),
 * then rename `0.log` → `0.log.<YYYYMMDD-HHMMSS>` and create a new `0.log`.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export type Runtime = 'containerd' | 'crio';

export interface KubeletSimulator {
  readonly file: string;
  /** Writes one logical line, cut into the runtime's pieces. `stopBeforeFinal` leaves the F piece for `writeFinal`. */
  writeLine(content: Buffer | string, stream?: 'stdout' | 'stderr', stopBeforeFinal?: boolean): Promise<void>;
  /** The last piece of a line left unfinished by `writeLine(…, true)`. */
  writeFinal(): Promise<void>;
  /** Raw bytes, e.g. a torn line. */
  writeRaw(bytes: string): Promise<void>;
  rotate(): Promise<void>;
}

export function createKubeletSimulator(
  podDir: string,
  runtime: Runtime,
  container = 'wirety-server',
): KubeletSimulator {
  const dir = join(podDir, container);
  const file = join(dir, '0.log');
  const split = runtime === 'containerd' ? 16 * 1024 : 8 * 1024;
  let tick = 0;
  let rotations = 0;
  let lastRotated: string | undefined;
  let held: string | undefined;

  const timestamp = (): string => {
    tick++;
    const nanos = String(tick * 100_000).padStart(9, '0');
    if (runtime === 'crio') return `2026-12-01T10:00:00.${nanos}+00:00`;
    const trimmed = nanos.replace(/0+$/, '');
    return `2026-12-01T10:00:00${trimmed ? '.' + trimmed : ''}Z`;
  };
  const append = (data: Buffer | string) =>
    fsp.mkdir(dir, { recursive: true }).then(() => fsp.appendFile(file, data));

  return {
    file,
    async writeLine(content, stream = 'stdout', stopBeforeFinal = false) {
      const bytes = Buffer.from(content);
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += split) pieces.push(bytes.subarray(at, at + split));
      if (pieces.length === 0) pieces.push(Buffer.alloc(0));
      const lines = pieces.map((piece, i) =>
        Buffer.concat([
          Buffer.from(`${timestamp()} ${stream} ${i === pieces.length - 1 ? 'F' : 'P'} `),
          piece,
          Buffer.from('\n'),
        ]),
      );
      if (stopBeforeFinal) held = lines.pop()!.toString('latin1');
      await append(Buffer.concat(lines));
    },
    async writeFinal() {
      await append(Buffer.from(held!, 'latin1'));
      held = undefined;
    },
    writeRaw: (bytes) => append(bytes),
    async rotate() {
      if (lastRotated) {
        await fsp.writeFile(`${lastRotated}.tmp`, gzipSync(await fsp.readFile(lastRotated)));
        await fsp.rename(`${lastRotated}.tmp`, `${lastRotated}.gz`);
        await fsp.unlink(lastRotated);
      }
      rotations++;
      lastRotated = `${file}.20261201-1000${String(rotations).padStart(2, '0')}`;
      await fsp.rename(file, lastRotated);
      await fsp.writeFile(file, '');
    },
  };
}
