/**
 * One open file being followed: its identity, where reading is, and its physical line framer.
 * Reads at most one chunk per call (the caller goes round-robin over files), so memory is bounded
 * by chunk size × open files plus each framer's unfinished line, whatever the files' sizes.
 */
import type { FileHandle } from 'node:fs/promises';
import type { LineMetadata } from '../input.js';
import { createLineFramer, type FramedLine, type LineFramer } from '../line-framer.js';
import type { FileFormat } from './detect-format.js';

export interface TailedFile {
  readonly path: string;
  readonly identity: string;
  readonly format: FileFormat;
  /** Rotation family (see rotation-family.ts). */
  readonly family: string;
  readonly dev: number;
  readonly ino: number;
  /** Opening order: an older member of a family is drained first. */
  readonly seq: number;
  readonly metadata: LineMetadata | undefined;
  readonly handle: FileHandle;
  /** Next byte to read. */
  readOffset: number;
  /** End of the last complete physical line read, and the lines before it. */
  safeOffset: number;
  safeLine: number;
  /** No longer at its path (renamed by a rotation, or deleted): read to its end, then closed. */
  gone: boolean;
  /** Clock time the file was first found at its end with nothing more (reset by new data). */
  eofAt: number | undefined;
  readonly framer: LineFramer;
  readonly baseOffset: number;
  readonly baseLine: number;
}

/** What opening a file needs: its identity fields, where reading starts, and the framer's limits. */
export type TailedFileInit = Pick<
  TailedFile,
  'path' | 'identity' | 'format' | 'family' | 'dev' | 'ino' | 'seq' | 'metadata' | 'handle'
> & {
  readonly offset: number;
  readonly line: number;
  /** Physical line limit (the event limit plus the runtime's framing overhead). */
  readonly maxPhysicalBytes: number;
  readonly prefixBytes: number;
};

export function openTailedFile(init: TailedFileInit): TailedFile {
  return {
    path: init.path,
    identity: init.identity,
    format: init.format,
    family: init.family,
    dev: init.dev,
    ino: init.ino,
    seq: init.seq,
    metadata: init.metadata,
    handle: init.handle,
    readOffset: init.offset,
    safeOffset: init.offset,
    safeLine: init.line,
    gone: false,
    eofAt: undefined,
    framer: createLineFramer({ maxLineBytes: init.maxPhysicalBytes, prefixBytes: init.prefixBytes }),
    baseOffset: init.offset,
    baseLine: init.line,
  };
}

const absolute = (file: TailedFile, lines: FramedLine[]): FramedLine[] =>
  lines.map((line) => ({
    ...line,
    offset: line.offset + file.baseOffset,
    lineNumber: line.lineNumber + file.baseLine,
  }));

/** Reads the next chunk into `scratch` (at most its size); 0 at the end of the file. */
export async function readNext(file: TailedFile, scratch: Buffer): Promise<Buffer> {
  const { bytesRead } = await file.handle.read(scratch, 0, scratch.length, file.readOffset);
  return scratch.subarray(0, bytesRead);
}

/** Frames a chunk from `readNext`; returns the physical lines it completed (absolute offsets). */
export function consumeChunk(file: TailedFile, chunk: Buffer): FramedLine[] {
  const lines = absolute(file, file.framer.push(chunk));
  const lastNewline = chunk.lastIndexOf(0x0a);
  if (lastNewline >= 0) file.safeOffset = file.readOffset + lastNewline + 1;
  file.safeLine += lines.length;
  file.readOffset += chunk.length;
  return lines;
}

/** The torn last line of a file that rotated away: it will not be completed, so it counts. */
export function finishFile(file: TailedFile): FramedLine[] {
  const lines = absolute(file, file.framer.end());
  file.safeOffset = file.readOffset;
  file.safeLine += lines.length;
  return lines;
}
