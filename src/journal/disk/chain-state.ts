/**
 * The journal's side of the integrity chain (docs/integrity.md, integrity/chain.ts): the chain
 * value each audit event gets when it is given its seq, what a checkpoint states, and `chain.json`,
 * the small state file that carries the chain across restarts.
 *
 *   chain.json  {"v":1,"key_id":"<key of the run that wrote it>","through":S,
 *                "head":"<hex>","head_seq":n,"head_key_id":"<key that made head>",
 *                "count":c,"skipped":[[a,b],…]}
 *
 * Meaning: every seq ≤ `through` is a chained event (seq ≤ head_seq; `count` of them), a
 * checkpoint record, or inside `skipped` (inclusive ranges of seqs holding neither: reservation
 * skips after an unclean stop, seqs journaled before integrity was turned on, a checkpoint seq a
 * crash kept from being written). Checkpoint records are not listed: each checkpoint states its own
 * seq, so `skipped` grows with unclean stops, never with time. `head` is the chain value of the
 * event at `head_seq` (the seed when there is none). It is written (atomically, fsynced) at open,
 * before each checkpoint record (through = the checkpoint's seq, so a crash never lets that seq be
 * reused) and at a clean close, so after a crash only seqs above `through` are unknown: those are
 * chained events of the run that wrote it (no checkpoint is appended without a write first), up to
 * the newest chained record in the last segment, which recovery finds; nothing after that record
 * is chained. Seqs above the last record found on disk hold nothing (a checkpoint seq claimed by
 * `through` whose record a crash kept from being written is one of them: recovery lists it as
 * skipped, one seq per such crash). The one case this cannot reconstruct exactly: a run with
 * integrity on that stopped uncleanly, then a run without a key, then one with a key again whose
 * last segment no longer holds the first run's records (documented in docs/integrity.md).
 * A chain.json without `count` (written before checkpoints stated their seq, when it listed the
 * checkpoint seqs as skipped) is read as count = head_seq less the skipped seqs below it.
 *
 * Key rotation: when the key changes between runs, the first event under the new key links to
 * rotationLink(newKey, journalId, head) instead of head (integrity/chain.ts).
 */
import { hash } from 'node:crypto';
import { join } from 'node:path';
import type { AcceptedEvent } from '../../audit/record.js';
import { canonicalJson } from '../../integrity/canonical.js';
import { chainSeed, chainStep, rotationLink } from '../../integrity/chain.js';
import { signCheckpoint, type Checkpoint } from '../../integrity/checkpoint.js';
import type { IntegrityKey } from '../../integrity/key.js';
import type { Logger } from '../../observe/logger.js';
import { errorCode, writeFileAtomic, type JournalFs } from './fs.js';
import type { EntryExtras } from './record-codec.js';

export const chainFileName = 'chain.json';

export type SeqRange = [from: number, to: number];

/** What the scan of the last segment saw (recovery.ts). */
export interface ChainTail {
  /** The newest record with an integrity block: its seq and chain value. */
  newest?: { readonly seq: number; readonly chain: Buffer };
  /** Seqs of records without a chain (checkpoints, records journaled without a key), merged. */
  readonly unchained: SeqRange[];
}

export function createChainTail(): ChainTail & { see(seq: number, block: Buffer | undefined): void } {
  const tail: ChainTail & { see(seq: number, block: Buffer | undefined): void } = {
    unchained: [],
    see(seq, block) {
      if (block) {
        tail.newest = { seq, chain: block.subarray(32) };
        lastWasUnchained = false;
        return;
      }
      const last = tail.unchained.at(-1);
      // Seqs between two unchained records in a row are gaps or unchained: none holds a chained event.
      if (last && lastWasUnchained) last[1] = seq;
      else tail.unchained.push([seq, seq]);
      lastWasUnchained = true;
    },
  };
  let lastWasUnchained = false;
  return tail;
}

interface StateFile {
  readonly key_id: string;
  readonly through: number;
  readonly head: string;
  readonly head_seq: number;
  readonly head_key_id: string;
  /** Chained events through head_seq (absent in files written before checkpoints had a seq). */
  readonly count?: number;
  readonly skipped: SeqRange[];
}

/** Reads chain.json: undefined when absent or unreadable (logged: counts may then be inexact). */
export async function loadChainFile(
  fsOps: JournalFs,
  dir: string,
  names: readonly string[],
  logger: Logger,
): Promise<StateFile | undefined> {
  if (!names.includes(chainFileName)) return undefined;
  try {
    const s = JSON.parse((await fsOps.readFile(join(dir, chainFileName))).toString('utf8')) as StateFile;
    const ok =
      typeof s.key_id === 'string' &&
      Number.isSafeInteger(s.through) &&
      typeof s.head === 'string' &&
      /^[0-9a-f]{64}$/.test(s.head) &&
      Number.isSafeInteger(s.head_seq) &&
      typeof s.head_key_id === 'string' &&
      (s.count === undefined || (Number.isSafeInteger(s.count) && s.count >= 0)) &&
      Array.isArray(s.skipped) &&
      s.skipped.every((r) => Array.isArray(r) && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]));
    if (ok) return s;
    logger.error(
      'journal: chain.json is not a chain state; the chain restarts from the journal contents',
      {},
    );
  } catch (err) {
    logger.error('journal: chain.json is unreadable; the chain restarts from the journal contents', {
      error: errorCode(err),
    });
  }
  return undefined;
}

export interface ChainState {
  readonly keyId: string;
  /** Seq of the newest chained event (0: none yet). */
  readonly headSeq: number;
  /** Chained events since the last checkpoint (what the checkpoint schedule counts). */
  readonly sinceCheckpoint: number;
  /**
   * prev‖chain blocks for events about to get seqs firstSeq, firstSeq+1, … (tentative: `advance`
   * makes them the head once written; a batch cut short is computed again from the head).
   */
  blocksFor(events: readonly AcceptedEvent[], firstSeq: number): EntryExtras[];
  /** extras[from, end) were written with seqs firstSeq+from…: the last chained one is the head. */
  advance(extras: readonly (EntryExtras | undefined)[], firstSeq: number, from: number, end: number): void;
  /**
   * The checkpoint of the chain as it stands (time = ms since the epoch), to be journaled at `seq`
   * (0: not journaled). Its seq is not listed as skipped: the checkpoint states it.
   */
  checkpoint(timeMs: number, seq: number): Checkpoint;
  /**
   * Writes chain.json: every seq ≤ through is a chained event, a checkpoint record (or one about
   * to be written at `through`) or skipped (writes run one at a time).
   */
  persist(through: number): Promise<void>;
  /**
   * Writes chain.json with the head as it stands, `through` never below what was last written
   * (a checkpoint may have claimed a seq not written yet). GC calls it before deleting segments,
   * so recovery never needs a deleted record to find the head.
   */
  persistHead(lastWritten: number): Promise<void>;
}

export interface OpenChainOptions {
  readonly fs: JournalFs;
  readonly dir: string;
  readonly key: IntegrityKey;
  readonly journalId: string;
  readonly logger: Logger;
  /** chain.json as loaded (loadChainFile). */
  readonly file: StateFile | undefined;
  readonly tail: ChainTail;
  /** Appends continue after this seq (reservation skips already counted in it). */
  readonly lastSeq: number;
  /** The highest seq found on disk (last record, or a cursor): nothing above it was written. */
  readonly written: number;
}

/** Rebuilds the chain's head and skipped seqs at open, links across a key change, writes chain.json. */
export async function openChainState(o: OpenChainOptions): Promise<ChainState> {
  const { key, journalId, file, tail, lastSeq, logger } = o;
  const through = file?.through ?? 0;
  let skipped: SeqRange[] = file ? file.skipped.map(([a, b]) => [a, b] as SeqRange) : [];
  let head: Buffer | undefined = file && file.head_seq > 0 ? Buffer.from(file.head, 'hex') : undefined;
  let headSeq = file?.head_seq ?? 0;
  let headKeyId = file?.head_key_id ?? key.id;
  let count = file ? (file.count ?? file.head_seq - seqsWithin(file.skipped, file.head_seq)) : 0;
  if (tail.newest && tail.newest.seq > headSeq) {
    if (!file) {
      logger.warn('journal: chain.json is missing; the chain continues from the last segment', {
        headSeq: tail.newest.seq,
      });
    }
    head = Buffer.from(tail.newest.chain);
    headSeq = tail.newest.seq;
    // Records above `through` were chained by the run that wrote chain.json last.
    headKeyId = file?.key_id ?? key.id;
  }
  // Above `through` (and above the head chain.json knew, below which it accounts for every seq):
  // the seqs seen without a chain, the rest up to the newest chained event are chained events.
  const known = Math.max(through, file?.head_seq ?? 0);
  let unchained = 0;
  for (const [a, b] of tail.unchained) {
    const from = Math.max(a, known + 1);
    const to = Math.min(b, headSeq);
    if (from <= to) {
      skipped.push([from, to]);
      unchained += to - from + 1;
    }
  }
  if (headSeq > known) count += headSeq - known - unchained;
  // Nothing above the newest chained event and above the last record on disk holds an event or
  // a checkpoint: up to `through` only a checkpoint seq whose record a crash kept from being
  // written (chain.json is written first), above it the reservation's skip.
  const empty = Math.max(Math.min(through, o.written), headSeq);
  if (lastSeq > empty) skipped.push([empty + 1, lastSeq]);
  skipped = mergeRanges(skipped);

  let prev: Buffer;
  if (head === undefined || headSeq === 0) {
    head = chainSeed(key.bytes, journalId);
    headSeq = 0;
    count = 0;
    headKeyId = key.id;
    prev = head;
  } else if (headKeyId !== key.id) {
    prev = rotationLink(key.bytes, journalId, head);
    logger.info('journal: the integrity key changed; the chain continues with a rotation link', {
      previous_key_id: headKeyId,
      key_id: key.id,
      head_seq: headSeq,
    });
  } else {
    prev = head;
  }
  let top: Buffer = head; // the head, typed for the closures below
  let sinceCheckpoint = 0;

  let lastThrough = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const persist = (upTo: number): Promise<void> => {
    const write = writing.then(() => writeState(upTo));
    writing = write.catch(() => undefined);
    return write;
  };
  const writeState = async (upTo: number): Promise<void> => {
    lastThrough = upTo;
    const body: StateFile = {
      key_id: key.id,
      through: upTo,
      head: top.toString('hex'),
      head_seq: headSeq,
      head_key_id: headKeyId,
      count,
      skipped,
    };
    await writeFileAtomic(
      o.fs,
      o.dir,
      join(o.dir, chainFileName),
      Buffer.from(JSON.stringify({ v: 1, ...body }) + '\n'),
      true,
    );
  };
  await persist(lastSeq);

  return {
    keyId: key.id,
    get headSeq() {
      return headSeq;
    },
    get sinceCheckpoint() {
      return sinceCheckpoint;
    },
    blocksFor(events, firstSeq) {
      const out: EntryExtras[] = new Array<EntryExtras>(events.length);
      let p = prev;
      for (let i = 0; i < events.length; i++) {
        // The classifier's parse of the line (ingest hands it on as `event`): the digest's input.
        const chain = chainStep(key.bytes, p, firstSeq + i, digestOf(events[i]!.event));
        out[i] = { block: Buffer.concat([p, chain]) };
        p = chain;
      }
      return out;
    },
    advance(extras, firstSeq, from, end) {
      for (let k = end - 1; k >= from; k--) {
        const block = extras[k]?.block;
        if (block === undefined) continue;
        top = block.subarray(32);
        prev = top;
        headSeq = firstSeq + k;
        headKeyId = key.id;
        break;
      }
      for (let k = from; k < end; k++) {
        if (extras[k]?.block) {
          sinceCheckpoint++;
          count++;
        }
      }
    },
    checkpoint(timeMs, seq) {
      sinceCheckpoint = 0;
      const within: [number, number][] = [];
      for (const [a, b] of skipped) {
        if (a > headSeq) break;
        within.push([a, Math.min(b, headSeq)]);
      }
      return signCheckpoint(key, {
        journal: journalId,
        seq,
        last_seq: headSeq,
        count,
        head: top.toString('hex'),
        skipped: within,
        time: new Date(timeMs).toISOString(),
      });
    },
    persist,
    persistHead: (lastWritten) =>
      writing.then(() => {
        const write = writeState(Math.max(lastThrough, lastWritten));
        writing = write.catch(() => undefined);
        return write;
      }),
  };
}

/**
 * eventDigest (integrity/chain.ts) with Node's one-shot hash: the same bytes (the tests recompute
 * every chain with eventDigest), about a third cheaper per event than a Hash object.
 */
function digestOf(event: unknown): Buffer {
  return hash('sha256', canonicalJson(event), 'buffer');
}

/** How many seqs of `ranges` are ≤ `upTo`. */
function seqsWithin(ranges: readonly SeqRange[], upTo: number): number {
  let n = 0;
  for (const [a, b] of ranges) if (a <= upTo) n += Math.min(b, upTo) - a + 1;
  return n;
}

/** Sorted, with overlapping and adjacent ranges joined. */
export function mergeRanges(ranges: readonly SeqRange[]): SeqRange[] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: SeqRange[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
