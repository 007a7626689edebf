/**
 * Sorting millions of fixed-size records by (journal, seq) in bounded memory: an external merge sort.
 *
 * Records are collected in one buffer of `runRecords` records; when it is full it is sorted and
 * written to a run file in a temp directory. At the end the runs are k-way merged through a binary
 * heap, reading each run through its own small window (`windowBytes`). Memory is therefore
 * runRecords × RECORD_BYTES (the collecting buffer) + runs × windowBytes, whatever the input size:
 * with the defaults (131,072 records of 128 bytes = 16 MiB; 256 KiB windows) 10 M events make 77
 * runs and use about 36 MiB. Input that fits in one buffer never touches the disk.
 *
 * The merge is done one journal at a time (each run remembers where each journal's records start),
 * so a report lists journals in the order of their ids, whatever order the input had.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Every record starts with u32 journal (index) and f64 seq, the sort key. */
export const RECORD_BYTES = 128;
const JOURNAL_AT = 0;
const SEQ_AT = 4;

export interface SpillSortOptions {
  readonly runRecords?: number;
  readonly windowBytes?: number;
  /** Parent of the temp directory (default: the OS temp dir). */
  readonly tempDir?: string;
}

interface Run {
  /** undefined: the records are still in memory (`memory`). */
  readonly file?: string;
  readonly memory?: Buffer;
  /** Journal index → [first record, end record) within the run. */
  readonly sections: Map<number, readonly [number, number]>;
}

export interface SpillSorter {
  /** A RECORD_BYTES slot to fill in place; it belongs to the sorter once the next call is made. */
  slot(): Buffer;
  readonly count: number;
  /** The records of one journal in seq order (equal seqs adjacent). Call after the last slot(). */
  journal(index: number): Iterable<Buffer>;
  /** Deletes the temp files. */
  close(): void;
  readonly runs: number;
}

export function createSpillSorter(options: SpillSortOptions = {}): SpillSorter {
  const runRecords = options.runRecords ?? 131_072;
  const windowBytes = Math.max(
    RECORD_BYTES,
    Math.floor((options.windowBytes ?? 262_144) / RECORD_BYTES) * RECORD_BYTES,
  );
  let buffer = Buffer.alloc(runRecords * RECORD_BYTES);
  let filled = 0;
  let count = 0;
  let dir: string | undefined;
  const runs: Run[] = [];
  let sealed = false;

  const sortBuffer = (
    records: number,
  ): { sorted: Buffer; sections: Map<number, readonly [number, number]> } => {
    const order = new Uint32Array(records);
    const journals = new Uint32Array(records);
    const seqs = new Float64Array(records);
    for (let i = 0; i < records; i++) {
      order[i] = i;
      journals[i] = buffer.readUInt32LE(i * RECORD_BYTES + JOURNAL_AT);
      seqs[i] = buffer.readDoubleLE(i * RECORD_BYTES + SEQ_AT);
    }
    order.sort((a, b) => journals[a]! - journals[b]! || seqs[a]! - seqs[b]!);
    const sorted = Buffer.allocUnsafe(records * RECORD_BYTES);
    const sections = new Map<number, [number, number]>();
    for (let i = 0; i < records; i++) {
      const from = order[i]! * RECORD_BYTES;
      buffer.copy(sorted, i * RECORD_BYTES, from, from + RECORD_BYTES);
      const j = journals[order[i]!]!;
      const section = sections.get(j);
      if (section) section[1] = i + 1;
      else sections.set(j, [i, i + 1]);
    }
    return { sorted, sections };
  };

  const spill = (): void => {
    if (filled === 0) return;
    const { sorted, sections } = sortBuffer(filled);
    dir ??= mkdtempSync(path.join(options.tempDir ?? tmpdir(), 'wirety-ship-verify-'));
    const file = path.join(dir, `run-${runs.length}`);
    const fd = openSync(file, 'w', 0o600);
    try {
      for (let at = 0; at < sorted.length;) at += writeSync(fd, sorted, at, sorted.length - at);
    } finally {
      closeSync(fd);
    }
    runs.push({ file, sections });
    filled = 0;
  };

  const seal = (): void => {
    if (sealed) return;
    sealed = true;
    if (runs.length === 0) {
      const { sorted, sections } = sortBuffer(filled);
      runs.push({ memory: sorted, sections });
    } else spill();
    buffer = Buffer.alloc(0);
  };

  return {
    slot() {
      if (sealed) throw new Error('spill sorter: slot() after reading');
      if (filled === runRecords) spill();
      const slot = buffer.subarray(filled * RECORD_BYTES, (filled + 1) * RECORD_BYTES);
      filled++;
      count++;
      return slot;
    },
    get count() {
      return count;
    },
    get runs() {
      return runs.length;
    },
    journal(index) {
      seal();
      return mergeJournal(runs, index, windowBytes);
    },
    close() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cursor over one run's section of a journal, read through a window. */
class RunCursor {
  private window: Buffer;
  private windowStart = 0;
  private windowEnd = 0;
  record!: Buffer;
  seq = 0;
  private readonly fd: number | undefined;

  constructor(
    private readonly run: Run,
    private next: number,
    private readonly end: number,
    windowBytes: number,
  ) {
    this.fd = run.file === undefined ? undefined : openSync(run.file, 'r');
    this.window = run.memory ?? Buffer.allocUnsafe(windowBytes);
  }

  /** Moves to the next record; false at the end of the section (the file is then closed). */
  advance(): boolean {
    if (this.next >= this.end) {
      this.closeFile();
      return false;
    }
    if (this.run.memory !== undefined) {
      this.record = this.run.memory.subarray(this.next * RECORD_BYTES, (this.next + 1) * RECORD_BYTES);
    } else {
      if (this.next >= this.windowEnd) {
        const want = Math.min(this.window.length / RECORD_BYTES, this.end - this.next);
        // A fresh window: records handed out earlier stay valid for the caller.
        this.window = Buffer.allocUnsafe(this.window.length);
        let got = 0;
        while (got < want * RECORD_BYTES) {
          const n = readSync(
            this.fd!,
            this.window,
            got,
            want * RECORD_BYTES - got,
            this.next * RECORD_BYTES + got,
          );
          if (n === 0) throw new Error(`spill sorter: run file ${this.run.file} is shorter than written`);
          got += n;
        }
        this.windowStart = this.next;
        this.windowEnd = this.next + want;
      }
      const at = (this.next - this.windowStart) * RECORD_BYTES;
      this.record = this.window.subarray(at, at + RECORD_BYTES);
    }
    this.seq = this.record.readDoubleLE(SEQ_AT);
    this.next++;
    return true;
  }

  closeFile(): void {
    if (this.fd !== undefined && !this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
  }
  private closed = false;
}

function* mergeJournal(runs: readonly Run[], index: number, windowBytes: number): Generator<Buffer> {
  const heap: RunCursor[] = [];
  for (const run of runs) {
    const section = run.sections.get(index);
    if (!section) continue;
    const cursor = new RunCursor(run, section[0], section[1], windowBytes);
    if (cursor.advance()) heap.push(cursor);
  }
  try {
    // Heapify, then pop the smallest seq until every run is done.
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const top = heap[0]!;
      yield top.record;
      if (!top.advance()) {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
  } finally {
    for (const cursor of heap) cursor.closeFile();
  }
}

function siftDown(heap: RunCursor[], at: number): void {
  const n = heap.length;
  for (;;) {
    const l = 2 * at + 1;
    const r = l + 1;
    let smallest = at;
    if (l < n && heap[l]!.seq < heap[smallest]!.seq) smallest = l;
    if (r < n && heap[r]!.seq < heap[smallest]!.seq) smallest = r;
    if (smallest === at) return;
    [heap[at], heap[smallest]] = [heap[smallest]!, heap[at]!];
    at = smallest;
  }
}
