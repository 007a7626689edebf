/**
 * The file input: follows container log files (CRI, Docker json-file) or plain NDJSON files, with
 * the input contract's delivery rule: a file position moves only when the batch holding its lines
 * is settled `stored`, never on read. One batch is out at a time (one chunk of one file); after
 * an `unstored` batch the iterable ends and nothing past the committed positions is kept, so a new
 * input (next start) reads those lines again, with the same ids. The parts, one per file:
 *
 * - discover-files.ts   include/exclude globs, evaluated every `glob_interval` (polling; works on
 *                       every file system, hostPath mounts included)
 * - change-hint.ts      fs.watch on the open files' directories, to wake early (a hint only)
 * - fingerprint.ts      file identity (first line, ≤ 256 bytes) and its limits
 * - tailed-file.ts      one open file, read round-robin in chunks of `read_chunk_bytes`
 * - cri-line.ts, docker-line.ts, detect-format.ts   physical line → stream, partial flag, content
 * - partial-joiner.ts   pieces joined per rotation family + stream, across rotations
 * - positions-store.ts  committed positions, written atomically
 * - kubernetes-path.ts  namespace/pod/pod_uid/container from the kubelet path
 *
 * Rotation: a file no longer at its path (renamed or unlinked; detected on each discovery tick by
 * comparing device/inode) is read to its end, waits one more `glob_interval` for the writer's last
 * writes, hands over its torn last line if any, then closes; a newer file of the same rotation
 * family is not read before an older one is closed, so lines keep their order and a partial run
 * continues in the right file. A file that shrinks (copytruncate) is logged and read again from
 * its start; so is one idle at its end whose first line changed. Copytruncate stays racy, as in
 * every tailer: a file truncated and rewritten past our offset while we are reading it is seen one
 * tick late (the kubelet and Docker never copytruncate). After a restart, a file renamed while we were down is found next to its old path
 * (same rotation family, same fingerprint) and read from its committed position.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { systemClock, type Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { Input, InputBatch, InputLine } from '../input.js';
import type { FramedLine } from '../line-framer.js';
import type { LogStream, ParsedEntry } from './container-log-entry.js';
import { parseCriLine } from './cri-line.js';
import { detectFormat, type FileFormat } from './detect-format.js';
import { createDiscover, DEFAULT_EXCLUDE, isExcludedBy } from './discover-files.js';
import { parseDockerLine } from './docker-line.js';
import { createChangeHint } from './change-hint.js';
import { readFingerprint } from './fingerprint.js';
import { metadataFromPath } from './kubernetes-path.js';
import { createPartialJoiner, type PieceOrigin } from './partial-joiner.js';
import { openPositionsStore, type FilePosition, type PositionsStore } from './positions-store.js';
import { isRotatedSibling, rotationFamily } from './rotation-family.js';
import { consumeChunk, finishFile, openTailedFile, readNext, type TailedFile } from './tailed-file.js';

export interface FileInputOptions {
  /** The input's name in the config's `inputs:` map. */
  readonly name: string;
  readonly include: readonly string[];
  /** Default: `**\/*.gz`, `**\/*.tmp` (replaced, not extended, when given). */
  readonly exclude?: readonly string[];
  readonly format?: 'auto' | FileFormat;
  /** Container streams shipped (CRI, json-file); default stdout only. */
  readonly streams?: readonly LogStream[];
  /** At the very first start (no positions file), where existing files are read from. */
  readonly read_from?: 'beginning' | 'end';
  readonly max_open_files?: number;
  /** Milliseconds between glob evaluations (and rotation checks); default 1000. */
  readonly glob_interval?: number;
  readonly max_line_bytes: number;
  /** The positions file, in the data directory. */
  readonly positionsPath: string;
  /** Node name added to each line's metadata (the caller passes process.env.NODE_NAME). */
  readonly node?: string;
  /** Largest read from one file per turn; default 64 KiB. */
  readonly read_chunk_bytes?: number;
  /** Wake early on fs.watch events in the open files' directories (a hint; polling stays); default true. */
  readonly watch?: boolean;
  /** Minimum milliseconds between position file writes; default 1000 (0: on every settled batch). */
  readonly positions_write_interval?: number;
  readonly clock?: Clock;
  readonly logger: Logger;
}

const KiB = 1024;
/** Positions of files not seen for a week are forgotten. */
const RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Room for a CRI line's timestamp, stream and tags around its content. */
const CRI_OVERHEAD = 1024;

export interface FileInput extends Input {
  /** Files open now (followed, or rotated away and being read to their end). */
  openFiles(): number;
}

export function createFileInput(options: FileInputOptions): FileInput {
  if (options.include.length === 0)
    throw new RangeError(`file input ${options.name}: include needs at least one glob`);
  for (const [key, value] of [
    ['max_line_bytes', options.max_line_bytes],
    ['max_open_files', options.max_open_files],
    ['glob_interval', options.glob_interval],
    ['read_chunk_bytes', options.read_chunk_bytes],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`file input ${options.name}: ${key} must be a positive integer, got ${value}`);
    }
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const exclude = options.exclude ?? DEFAULT_EXCLUDE;
  const excluded = isExcludedBy(exclude);
  const discover = createDiscover(options.include, exclude);
  const streams = new Set<LogStream>(options.streams ?? ['stdout']);
  const readFrom = options.read_from ?? 'beginning';
  const maxOpen = options.max_open_files ?? 256;
  const interval = options.glob_interval ?? 1000;
  const maxLineBytes = options.max_line_bytes;
  const writeInterval = options.positions_write_interval ?? 1000;
  const scratch = Buffer.allocUnsafe(options.read_chunk_bytes ?? 64 * KiB);
  const joiner = createPartialJoiner(maxLineBytes);
  const hint = options.watch === false ? undefined : createChangeHint();
  /** Lines of partial runs whose end will never come, handed over before any new read. */
  const abandoned: { source: string; line: InputLine }[] = [];

  const open: TailedFile[] = [];
  /** Files closed in this run (rotated away and drained, parked, truncated): where to resume. */
  const resume = new Map<string, { offset: number; line: number; path: string }>();
  /** Identities whose file shrank: read again from 0 whatever the stored position says. */
  const truncated = new Set<string>();
  /** Identities whose position may have moved since the last batch (so a batch costs O(touched)). */
  const touched = new Set<string>();
  /** Last position handed with a batch, per identity (only changes are handed again). */
  const handed = new Map<string, string>();
  const warned = new Set<string>();
  /** Files closed at `max_open_files` while idle at their end, by path: reopened once they grow. */
  const parked = new Map<string, { offset: number; ino: number }>();
  let store: PositionsStore | undefined;
  let started: Promise<void> | undefined;
  let cursor = 0;
  let seq = 0;
  let lastSave = -Infinity;
  let closed = false;
  /**
   * Files idle at their end are read again only on a tick, or when fs.watch saw their directory
   * change: with hundreds of files, one append must not cost a read of every file.
   */
  let pollAll = true;
  const changedDirs = new Set<string>();

  const physicalLimit = (format: FileFormat): number =>
    format === 'raw'
      ? maxLineBytes
      : format === 'cri'
        ? maxLineBytes + CRI_OVERHEAD
        : maxLineBytes * 6 + CRI_OVERHEAD;

  /** At first start with `read_from: end`: after the last complete line, so no torn line is read. */
  const tailOffset = async (handle: fsp.FileHandle, size: number): Promise<number> => {
    const length = Math.min(size, 64 * KiB);
    const { bytesRead } = await handle.read(scratch, 0, length, size - length);
    const newline = scratch.subarray(0, bytesRead).lastIndexOf(0x0a);
    return newline >= 0 ? size - length + newline + 1 : size;
  };

  interface OpenMode {
    readonly initial: boolean;
    readonly expect?: string;
    readonly gone?: boolean;
  }

  /** Opens `path` unless it has no identity yet or is already followed. */
  const tryOpen = async (path: string, mode: OpenMode): Promise<void> => {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && !warned.has(path)) {
        warned.add(path);
        logger.warn('cannot open log file', { input: options.name, path, error: String(error) });
      }
      return;
    }
    let keep = false;
    try {
      const stat = await handle.stat();
      if (open.some((f) => f.dev === stat.dev && f.ino === stat.ino)) return;
      // /var/log/containers/*.log are symlinks into /var/log/pods: the real path names the pod.
      const realPath = await fsp.realpath(path).catch(() => path);
      const fingerprint = await readFingerprint(handle, dirname(realPath));
      if (!fingerprint) return; // first line not complete yet: try again next tick
      const { identity } = fingerprint;
      if (mode.expect && identity !== mode.expect) return;
      const twin = open.find((f) => f.identity === identity);
      if (twin) {
        if (!twin.gone && twin.path !== path && !warned.has(path)) {
          warned.add(path);
          logger.warn('log file starts like another one in its directory; only one of them is read', {
            input: options.name,
            path,
            other: twin.path,
          });
        }
        return;
      }
      const format =
        !options.format || options.format === 'auto' ? detectFormat(fingerprint.head) : options.format;
      let start: { offset: number; line: number };
      const known = truncated.delete(identity)
        ? { offset: 0, line: 0 }
        : (resume.get(identity) ?? store!.get(identity));
      if (known && known.offset <= stat.size) start = known;
      else if (known) {
        logger.warn('log file is shorter than its position (truncated?); reading it from its start', {
          input: options.name,
          path,
          position: known.offset,
          size: stat.size,
        });
        start = { offset: 0, line: 0 };
      } else if (mode.initial && store!.firstStart && readFrom === 'end') {
        start = { offset: await tailOffset(handle, stat.size), line: 0 };
      } else start = { offset: 0, line: 0 };
      if (mode.gone && start.offset >= stat.size) return; // a rotated copy already read to its end
      if (closed) return; // close() ran while we were opening
      const file = openTailedFile({
        path,
        identity,
        format,
        family: rotationFamily(realPath),
        dev: stat.dev,
        ino: stat.ino,
        seq: seq++,
        metadata: metadataFromPath(realPath, options.node),
        handle,
        offset: start.offset,
        line: start.line,
        maxPhysicalBytes: physicalLimit(format),
        prefixBytes: Math.min(physicalLimit(format), 4 * KiB + (format === 'raw' ? 0 : CRI_OVERHEAD)),
      });
      file.gone = mode.gone ?? false;
      open.push(file);
      parked.delete(path);
      keep = true;
      logger.info('following log file', {
        input: options.name,
        path,
        identity,
        format,
        offset: start.offset,
      });
    } finally {
      if (!keep) await handle.close().catch(() => undefined);
    }
  };

  const closeFile = async (file: TailedFile, resumeAt: { offset: number; line: number }): Promise<void> => {
    const index = open.indexOf(file);
    if (index >= 0) open.splice(index, 1);
    touched.add(file.identity);
    resume.set(file.identity, { ...resumeAt, path: file.path });
    await file.handle.close().catch(() => undefined);
  };

  /** After a restart: files renamed by a rotation while we were down, found next to their old path. */
  const recoverRotated = async (): Promise<void> => {
    const listed = new Map<string, string[]>();
    for (const [identity, position] of [...store!.entries()]) {
      const dir = dirname(position.path);
      if (!listed.has(dir)) listed.set(dir, await fsp.readdir(dir).catch(() => []));
      for (const name of listed.get(dir)!) {
        const candidate = join(dir, name);
        if (!isRotatedSibling(position.path, candidate) || excluded(candidate)) continue;
        await tryOpen(candidate, { initial: false, expect: identity, gone: true });
        if (open.some((f) => f.identity === identity)) break;
      }
    }
  };

  /** Truncated and written again past our offset between two ticks: its first line changed. */
  const rewritten = async (file: TailedFile): Promise<boolean> => {
    const now = await readFingerprint(file.handle, dirname(file.family)).catch(() => undefined);
    return now === undefined || now.identity !== file.identity;
  };

  const restartTruncated = async (file: TailedFile, size: number): Promise<void> => {
    logger.warn('log file shrank (copytruncate?); reading it again from its start', {
      input: options.name,
      path: file.path,
      offset: file.readOffset,
      size,
    });
    truncated.add(file.identity);
    await closeFile(file, { offset: 0, line: 0 });
    await tryOpen(file.path, { initial: false });
  };

  /** Rotation, deletion and truncation of open files, then new files. */
  const discoveryTick = async (initial: boolean): Promise<void> => {
    for (const file of [...open]) {
      if (file.gone) continue;
      const stat = await fsp.stat(file.path).catch(() => undefined);
      if (!stat || stat.ino !== file.ino || stat.dev !== file.dev) {
        file.gone = true;
        logger.info('log file rotated away or deleted; reading it to its end', {
          input: options.name,
          path: file.path,
        });
      } else if (stat.size < file.readOffset || (await rewritten(file))) {
        await restartTruncated(file, stat.size);
      }
    }
    await abandonOrphanRuns();
    let paths: string[];
    try {
      paths = await discover();
    } catch (error) {
      logger.warn('log file discovery failed', { input: options.name, error: String(error) });
      return;
    }
    const followed = new Set(open.filter((f) => !f.gone).map((f) => f.path));
    const waiting = paths.filter((path) => !followed.has(path));
    // Files never opened first, then parked files that grew (or were replaced) since.
    const grown: string[] = [];
    for (const path of waiting.filter((p) => parked.has(p))) {
      const stat = await fsp.stat(path).catch(() => undefined);
      const was = parked.get(path)!;
      if (stat && (stat.size > was.offset || stat.ino !== was.ino)) grown.push(path);
    }
    for (const path of [...waiting.filter((p) => !parked.has(p)), ...grown]) {
      if (open.length >= maxOpen) parkIdleFile();
      if (open.length >= maxOpen) break;
      await tryOpen(path, { initial });
    }
    hint?.watch(new Set(open.map((f) => dirname(f.path))));
  };

  /**
   * A partial run whose family has no open file and no file at its path any more (pod deleted,
   * container gone) will never get its last piece: it is handed over as rejected, not held forever.
   * While the family's path exists (e.g. a new empty `0.log` right after a rotation), it waits.
   */
  const abandonOrphanRuns = async (): Promise<void> => {
    const families = new Set([...joiner.pendingOrigins()].map((origin) => origin.family));
    for (const family of families) {
      if (open.some((f) => f.family === family)) continue;
      if (
        await fsp.stat(family).then(
          () => true,
          () => false,
        )
      )
        continue;
      for (const { framed, origin } of joiner.abandon(family)) {
        touched.add(origin.identity);
        const metadata = metadataFromPath(origin.path, options.node);
        abandoned.push({
          source: `file:${origin.path}`,
          line: {
            framed,
            id: `${origin.identity}:${origin.offset}`,
            ...(metadata ? { metadata } : {}),
            rejected: {
              reason: 'partial_line_unterminated',
              detail: `the log of ${family} ended inside a partial line`,
            },
          },
        });
      }
    }
  };

  /** At `max_open_files`: closes one file idle at its end for a tick (reopened later by the glob). */
  const parkIdleFile = (): void => {
    const idle = open.find((f) => !f.gone && f.eofAt !== undefined && clock.now() - f.eofAt >= interval);
    if (!idle) return;
    parked.set(idle.path, { offset: idle.readOffset, ino: idle.ino });
    void closeFile(idle, { offset: idle.safeOffset, line: idle.safeLine });
  };

  const toInputLines = (file: TailedFile, physical: FramedLine[]): InputLine[] => {
    const lines: InputLine[] = [];
    const metadata = file.metadata;
    touched.add(file.identity);
    const add = (
      framed: FramedLine,
      origin: { identity: string; offset: number },
      rejected?: InputLine['rejected'],
    ) => {
      touched.add(origin.identity); // a joined line may end a run that started in an older file
      lines.push({
        framed,
        id: `${origin.identity}:${origin.offset}`,
        ...(metadata ? { metadata } : {}),
        ...(rejected ? { rejected } : {}),
      });
    };
    for (const line of physical) {
      const here = { identity: file.identity, offset: line.offset };
      if (file.format === 'raw') {
        add(line, here);
        continue;
      }
      const origin: PieceOrigin = {
        ...here,
        family: file.family,
        path: file.path,
        lineNumber: line.lineNumber,
      };
      let parsed: ParsedEntry;
      if (line.kind === 'too_long') {
        // Only a CRI header can be read from a prefix; a json-file record cut short cannot be parsed.
        parsed =
          file.format === 'cri' ? parseCriLine(line.prefix) : { error: 'json-file record over the limit' };
        if ('error' in parsed) {
          add(line, here);
        } else if (streams.has(parsed.stream)) {
          const header = line.prefix.length - parsed.content.length;
          const key = `${file.family}\0${parsed.stream}`;
          const joined = joiner.pushOversized(key, parsed.content, line.bytes - header, parsed.final, origin);
          if (joined) add(joined.framed, joined.origin);
        }
        continue;
      }
      if (file.format === 'cri')
        parsed = parseCriLine(line.kind === 'line' ? Buffer.from(line.text) : line.raw);
      else
        parsed =
          line.kind === 'line'
            ? parseDockerLine(line.text)
            : { error: 'invalid UTF-8 in a json-file record' };
      if ('error' in parsed) {
        add(line, here, {
          reason: file.format === 'cri' ? 'invalid_cri_line' : 'invalid_docker_line',
          detail: parsed.error,
        });
        continue;
      }
      if (!streams.has(parsed.stream)) continue;
      const joined = joiner.push(`${file.family}\0${parsed.stream}`, parsed.content, parsed.final, origin);
      if (joined) add(joined.framed, joined.origin);
    }
    return lines;
  };

  /** A newer file of a rotation family waits until the older ones are drained and closed. */
  const waitsForOlder = (file: TailedFile): boolean =>
    open.some((g) => g !== file && g.family === file.family && g.gone && g.seq < file.seq);

  /** Reads one chunk from the next file with data (round-robin). */
  const readTurn = async (): Promise<{ source?: string; lines: InputLine[]; progressed: boolean }> => {
    const orphan = abandoned.shift();
    if (orphan) return { source: orphan.source, lines: [orphan.line], progressed: true };
    const files = [...open];
    for (let i = 0; i < files.length; i++) {
      const file = files[(cursor + i) % files.length]!;
      if (waitsForOlder(file)) continue;
      if (file.eofAt !== undefined && !pollAll && !changedDirs.has(dirname(file.path))) continue;
      let chunk: Buffer;
      try {
        chunk = await readNext(file, scratch);
        // Copytruncate: a file idle at its end that grows again may have been rewritten from 0
        // (the tick's size check misses a file already longer than our offset again).
        if (chunk.length > 0 && file.eofAt !== undefined && file.readOffset > 0 && (await rewritten(file))) {
          await restartTruncated(file, -1);
          return { lines: [], progressed: true };
        }
      } catch (error) {
        if (closed) return { lines: [], progressed: false };
        // An I/O error on one file must not stop the others: close it, the next tick reopens it.
        logger.warn('cannot read log file; reopening it at the next tick', {
          input: options.name,
          path: file.path,
          error: String(error),
        });
        await closeFile(file, { offset: file.safeOffset, line: file.safeLine });
        return { lines: [], progressed: true };
      }
      if (chunk.length > 0) {
        file.eofAt = undefined;
        cursor = (cursor + i + 1) % files.length;
        return {
          source: `file:${file.path}`,
          lines: toInputLines(file, consumeChunk(file, chunk)),
          progressed: true,
        };
      }
      if (file.eofAt === undefined) file.eofAt = clock.now();
      else if (file.gone && clock.now() - file.eofAt >= interval) {
        const last = toInputLines(file, finishFile(file));
        await closeFile(file, { offset: file.readOffset, line: file.safeLine });
        logger.info('closed log file read to its end', { input: options.name, path: file.path });
        return { source: `file:${file.path}`, lines: last, progressed: true };
      }
    }
    pollAll = false;
    changedDirs.clear();
    return { lines: [], progressed: false };
  };

  /** Positions safe to commit once the batch just read is stored: changed ones only. */
  const frontierChanges = (): Map<string, FilePosition> => {
    const pending = new Map<string, PieceOrigin>();
    for (const origin of joiner.pendingOrigins()) {
      const known = pending.get(origin.identity);
      if (!known || origin.offset < known.offset) pending.set(origin.identity, origin);
    }
    const changes = new Map<string, FilePosition>();
    const consider = (identity: string, path: string, offset: number, line: number) => {
      const run = pending.get(identity);
      if (run && run.offset < offset) {
        offset = run.offset;
        line = run.lineNumber - 1;
      }
      const key = `${offset}:${line}`;
      if (handed.get(identity) === key) return;
      handed.set(identity, key);
      changes.set(identity, { offset, line, path, seen: clock.now() });
    };
    for (const identity of touched) {
      const file = open.find((f) => f.identity === identity);
      const at = file
        ? { path: file.path, offset: file.safeOffset, line: file.safeLine }
        : resume.get(identity);
      if (at) consider(identity, at.path, at.offset, at.line);
    }
    // A run still pending keeps its identity touched: its position moves when the run ends.
    touched.clear();
    for (const identity of pending.keys()) touched.add(identity);
    return changes;
  };

  let saving: Promise<void> = Promise.resolve();
  /** One write at a time (a settled batch and close() may both ask). */
  const save = (): Promise<void> => (saving = saving.then(writePositions));
  const writePositions = async (): Promise<void> => {
    if (!store?.dirty) return;
    lastSave = clock.now();
    try {
      await store.save(clock.now());
    } catch (error) {
      // Positions only lag behind: lines are read again after a restart, with the same ids.
      logger.error('cannot write file positions', {
        input: options.name,
        path: options.positionsPath,
        error: String(error),
      });
    }
  };

  const start = async (): Promise<void> => {
    store = await openPositionsStore(options.positionsPath, RETENTION_MS);
    await recoverRotated();
    await discoveryTick(true);
  };

  return {
    name: options.name,
    // Lines not stored are past the committed position: the next start reads them again.
    redelivers: true,
    openFiles: () => open.length,
    async *batches(signal: AbortSignal): AsyncIterable<InputBatch> {
      started ??= start();
      await started;
      let nextTick = clock.now() + interval;
      const aborted = new Promise<'aborted'>((resolve) => {
        if (signal.aborted) resolve('aborted');
        signal.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      while (!signal.aborted && !closed) {
        if (clock.now() >= nextTick) {
          await discoveryTick(false);
          nextTick = clock.now() + interval;
          pollAll = true;
        }
        if (clock.now() - lastSave >= writeInterval) await save();
        const turn = await readTurn();
        if (turn.lines.length > 0) {
          const changes = frontierChanges();
          let settle!: (outcome: 'stored' | 'unstored') => void;
          const settledOutcome = new Promise<'stored' | 'unstored'>((resolve) => (settle = resolve));
          let once = false;
          yield {
            source: turn.source!,
            lines: turn.lines,
            settled: async (outcome) => {
              if (once) return;
              once = true;
              if (outcome === 'stored') {
                for (const [identity, position] of changes) store!.set(identity, position);
                if (clock.now() - lastSave >= writeInterval) await save();
              }
              settle(outcome);
            },
          };
          // Nothing more is read until ingest is done with this batch (a full journal pauses us).
          const outcome = await Promise.race([settledOutcome, aborted]);
          if (outcome !== 'stored') return;
          continue;
        }
        if (turn.progressed) continue;
        // Idle until the next tick, or earlier when a watched directory changes.
        const early = new AbortController();
        void hint?.next().then(() => early.abort());
        try {
          await clock.sleep(Math.max(0, nextTick - clock.now()), AbortSignal.any([signal, early.signal]));
        } catch {
          if (signal.aborted) return;
        }
        early.abort();
        if (hint) for (const dir of hint.takeChanged()) changedDirs.add(dir);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      hint?.close();
      await started?.catch(() => undefined);
      for (const file of open.splice(0)) await file.handle.close().catch(() => undefined);
      await save();
    },
  };
}
