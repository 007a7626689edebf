/**
 * A JournalFs over the real one that records every call (with the path behind each descriptor)
 * and injects failures on demand, so tests can cause ENOSPC/EIO and observe fsync without a full disk.
 */
import { basename } from 'node:path';
import type { JournalFs } from '../../src/journal/disk/fs.js';
import { nodeJournalFs } from '../../src/journal/disk/fs.js';

type Op = keyof JournalFs;

export interface Call {
  readonly op: Op;
  /** File name (basename) the call was about, descriptor calls included. */
  readonly file: string;
}

export interface FaultFs extends JournalFs {
  readonly calls: Call[];
  /** Calls of `op` whose file name matches. */
  count(op: Op, file?: RegExp): number;
  /**
   * The next `times` calls of `op` (on files matching `file`) fail with `code`. For write,
   * `partialBytes` are really written first, as a short write before ENOSPC would leave them.
   */
  fail(op: Op, code: string, options?: { times?: number; file?: RegExp; partialBytes?: number }): void;
  /** The next call of `op` (on a file matching `file`) waits until the returned function is called. */
  hold(op: Op, file?: RegExp): () => void;
}

interface Fault {
  readonly op: Op;
  readonly code: string;
  times: number;
  readonly file?: RegExp;
  readonly partialBytes: number;
}

export function createFaultFs(base: JournalFs = nodeJournalFs): FaultFs {
  const calls: Call[] = [];
  const fdFiles = new Map<number, string>();
  const faults: Fault[] = [];
  const holds: { op: Op; file?: RegExp; until: Promise<void> }[] = [];

  const fileOf = (target: number | string): string =>
    typeof target === 'number' ? (fdFiles.get(target) ?? `fd${target}`) : basename(target);

  const before = async (op: Op, target: number | string): Promise<Fault | undefined> => {
    const file = fileOf(target);
    calls.push({ op, file });
    const held = holds.findIndex((h) => h.op === op && (!h.file || h.file.test(file)));
    if (held >= 0) await holds.splice(held, 1)[0]!.until;
    const fault = faults.find((f) => f.op === op && f.times > 0 && (!f.file || f.file.test(file)));
    if (fault) fault.times--;
    return fault;
  };
  const error = (fault: Fault): Error =>
    Object.assign(new Error(`${fault.code}: injected by test`), { code: fault.code });

  const wrap =
    <A extends [number | string, ...unknown[]], R>(op: Op, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const fault = await before(op, args[0]);
      if (fault) throw error(fault);
      return fn(...args);
    };

  return {
    calls,
    count: (op, file) => calls.filter((c) => c.op === op && (!file || file.test(c.file))).length,
    fail(op, code, options = {}) {
      faults.push({
        op,
        code,
        times: options.times ?? 1,
        file: options.file,
        partialBytes: options.partialBytes ?? 0,
      });
    },
    hold(op, file) {
      let release!: () => void;
      holds.push({ op, file, until: new Promise<void>((resolve) => (release = resolve)) });
      return () => release();
    },
    mkdir: wrap('mkdir', base.mkdir),
    readdir: wrap('readdir', base.readdir),
    readFile: wrap('readFile', base.readFile),
    size: wrap('size', base.size),
    async open(path, flags, mode) {
      const fault = await before('open', path);
      if (fault) throw error(fault);
      const fd = await base.open(path, flags, mode);
      fdFiles.set(fd, basename(path));
      return fd;
    },
    read: wrap('read', base.read),
    async write(fd, buffer, offset, length, position) {
      const fault = await before('write', fd);
      if (!fault) return base.write(fd, buffer, offset, length, position);
      if (fault.partialBytes > 0)
        await base.write(fd, buffer, offset, Math.min(length, fault.partialBytes), position);
      throw error(fault);
    },
    fsync: wrap('fsync', base.fsync),
    ftruncate: wrap('ftruncate', base.ftruncate),
    close: wrap('close', base.close),
    rename: wrap('rename', base.rename),
    unlink: wrap('unlink', base.unlink),
  };
}
