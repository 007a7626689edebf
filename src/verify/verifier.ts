/**
 * The verifier: observations from any reader → findings (findings.ts), in bounded memory.
 *
 * Phase 1, while reading (`add`): each event is checked on its own right away — does
 * chainOf(key, prev, seq, content) equal its chain for one of the keys? — and reduced to a
 * fixed-size record (journal, seq, verdict, time, chain, prev, content digest, where its event id
 * is) handed to the external sorter (spill-sort.ts); the event id goes to an id file (id-store.ts).
 * Checkpoints are checked as they come; the newest valid one per journal is kept, and the seq of
 * every valid one (the seq its own record took in the journal: it holds no event).
 *
 * Phase 2 (`finish`): per journal in seq order, duplicates are folded (identical copies are
 * harmless; different copies are a CONFLICT), and consecutive events m < n are linked:
 * - n.prev == m.chain, or == rotationLink(key, journal, m.chain): nothing was journaled between
 *   them (the seqs between are journal skips, never reported);
 * - otherwise m+1…n-1 held events that are not here: MISSING (with the time span from m to n),
 *   less the seqs the newest checkpoint lists as skipped and the seqs of the checkpoints seen (a
 *   checkpoint record not seen widens a MISSING range that touches its seq by that one seq), and
 *   less those a dead-letter record explains.
 * An event that fails its own check is ALTERED when the next present event links to its chain
 * value (so a key-holder made that chain value: the content was changed), FORGED otherwise; a
 * forged event takes no part in linking.
 * The first event links to the seed (chainSeed(key, journal)); if it does not, seqs before it are
 * MISSING, unless the read was limited in time (`windowed`: --since/--until), where the chain
 * simply enters the window there. With a valid checkpoint, every seq up to its last_seq not listed
 * as skipped and not a checkpoint's seq must be present, and the event at last_seq must carry its head: a tail cut off after
 * the last event present is MISSING up to last_seq. Events after the newest checkpoint are covered
 * only by the chain (the summary counts them).
 *
 * Memory: the sorter's buffer and merge windows, the id file's 1 MiB chunk, the newest checkpoint
 * per journal and one number per checkpoint seen, the dead-letter index, and a few records of
 * look-behind: not the number of events.
 */
import { rotationLink, chainSeed, chainStep, eventDigest } from '../integrity/chain.js';
import { checkCheckpoint, type Checkpoint } from '../integrity/checkpoint.js';
import type { IntegrityKey } from '../integrity/key.js';
import type { DeadLetterIndex } from './dead-letters.js';
import type { Bound, Finding, JournalSummary } from './findings.js';
import { createIdStore } from './id-store.js';
import type { Observation } from './observation.js';
import { createSpillSorter, RECORD_BYTES, type SpillSortOptions } from './spill-sort.js';

export interface VerifierOptions {
  readonly keys: readonly IntegrityKey[];
  readonly deadLetters?: DeadLetterIndex;
  /** The read covers a time window (--since/--until): a chain may enter it after its first seq. */
  readonly windowed?: boolean;
  readonly sort?: SpillSortOptions;
  /** How many unusable records are named one by one (the rest are counted). */
  readonly examples?: number;
}

export interface Verifier {
  /** `where` names the record in reports (file:line, or the query and position). */
  add(observation: Observation, where: string): void;
  /** Emits every finding, journal by journal (ids in order), then closes the temp files. */
  finish(emit: (finding: Finding) => void): void;
  /** Deletes the temp files without a report (a read failed). */
  discard(): void;
  /** Events added (copies included). */
  readonly events: number;
  /** Temp files used by the sort (0: everything fit in memory). */
  readonly runs: number;
}

// Record layout (RECORD_BYTES = 128): see spill-sort.ts for the sort key at 0 and 4.
const JOURNAL_AT = 0;
const SEQ_AT = 4;
const OK_AT = 12;
const ID_LENGTH_AT = 14;
const TIME_AT = 16;
const ID_OFFSET_AT = 24;
const CHAIN_AT = 32;
const PREV_AT = 64;
const DIGEST_AT = 96;

export function createVerifier(options: VerifierOptions): Verifier {
  const keys = options.keys;
  if (keys.length === 0) throw new Error('verify needs at least one key');
  const sorter = createSpillSorter(options.sort);
  const ids = createIdStore(options.sort?.tempDir);
  const journals = new Map<string, number>();
  const checkpoints = new Map<string, Checkpoint>();
  /** Per journal, the seqs of the checkpoint records seen (copies included: merged at the end). */
  const checkpointSeqs = new Map<string, number[]>();
  const badCheckpoints: Finding[] = [];
  const examples = options.examples ?? 20;
  const unusable = {
    unchained: { count: 0, examples: [] as { where: string; reason: string }[] },
    unreadable: { count: 0, examples: [] as { where: string; reason: string }[] },
  };
  const prevBytes = Buffer.alloc(32);

  const journalIndex = (journal: string): number => {
    let index = journals.get(journal);
    if (index === undefined) {
      index = journals.size;
      journals.set(journal, index);
    }
    return index;
  };

  return {
    get events() {
      return sorter.count;
    },
    get runs() {
      return sorter.runs;
    },
    add(observation, where) {
      switch (observation.kind) {
        case 'ignored':
          return;
        case 'unusable': {
          const bucket = unusable[observation.why];
          bucket.count++;
          if (bucket.examples.length < examples) bucket.examples.push({ where, reason: observation.reason });
          return;
        }
        case 'checkpoint': {
          const check = checkCheckpoint(observation.value, keys);
          if (!check.ok) {
            badCheckpoints.push({ kind: 'bad_checkpoint', where, reason: check.reason });
            return;
          }
          const c = check.checkpoint;
          journalIndex(c.journal);
          const newest = checkpoints.get(c.journal);
          if (newest === undefined || c.last_seq > newest.last_seq) checkpoints.set(c.journal, c);
          if (c.seq > 0) {
            const seqs = checkpointSeqs.get(c.journal);
            if (seqs === undefined) checkpointSeqs.set(c.journal, [c.seq]);
            else seqs.push(c.seq);
          }
          return;
        }
        case 'event': {
          const record = sorter.slot();
          record.writeUInt32LE(journalIndex(observation.journal), JOURNAL_AT);
          record.writeDoubleLE(observation.seq, SEQ_AT);
          record.write(observation.chain, CHAIN_AT, 32, 'hex');
          record.write(observation.prev, PREV_AT, 32, 'hex');
          record.copy(prevBytes, 0, PREV_AT, PREV_AT + 32);
          const chain = record.subarray(CHAIN_AT, CHAIN_AT + 32);
          let verifiedBy = -1;
          let digest: Buffer | undefined;
          for (const candidate of observation.candidates) {
            const d = eventDigest(candidate);
            digest ??= d;
            const k = keys.findIndex((key) =>
              chainStep(key.bytes, prevBytes, observation.seq, d).equals(chain),
            );
            if (k >= 0) {
              verifiedBy = k;
              digest = d;
              break;
            }
          }
          record.writeUInt8(verifiedBy >= 0 ? 1 : 0, OK_AT);
          record.writeUInt8(verifiedBy >= 0 ? verifiedBy : 255, OK_AT + 1);
          digest!.copy(record, DIGEST_AT);
          record.writeDoubleLE(observation.timeMs, TIME_AT);
          const id = ids.put(observation.eventId);
          record.writeDoubleLE(id.offset, ID_OFFSET_AT);
          record.writeUInt16LE(id.length, ID_LENGTH_AT);
          return;
        }
      }
    },
    discard() {
      sorter.close();
      ids.close();
    },
    finish(emit) {
      try {
        for (const finding of badCheckpoints) emit(finding);
        for (const why of ['unreadable', 'unchained'] as const) {
          if (unusable[why].count > 0) emit({ kind: 'unusable', why, ...unusable[why] });
        }
        const byName = [...journals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        for (const [journal, index] of byName) {
          scanJournal({
            journal,
            records: sorter.journal(index),
            keys,
            checkpoint: checkpoints.get(journal),
            checkpointSeqs: checkpointSeqs.get(journal) ?? [],
            deadLetters: options.deadLetters,
            windowed: options.windowed ?? false,
            eventId: (record) =>
              ids.get(record.readDoubleLE(ID_OFFSET_AT), record.readUInt16LE(ID_LENGTH_AT)),
            emit,
          });
        }
      } finally {
        sorter.close();
        ids.close();
      }
    },
  };
}

interface ScanInput {
  readonly journal: string;
  readonly records: Iterable<Buffer>;
  readonly keys: readonly IntegrityKey[];
  readonly checkpoint: Checkpoint | undefined;
  /** Seqs of the checkpoint records seen: they hold no event. */
  readonly checkpointSeqs: readonly number[];
  readonly deadLetters: DeadLetterIndex | undefined;
  readonly windowed: boolean;
  readonly eventId: (record: Buffer) => string;
  readonly emit: (finding: Finding) => void;
}

const seqOf = (r: Buffer): number => r.readDoubleLE(SEQ_AT);
const verifies = (r: Buffer): boolean => r.readUInt8(OK_AT) === 1;
const chainOfRecord = (r: Buffer): Buffer => r.subarray(CHAIN_AT, CHAIN_AT + 32);
const prevOfRecord = (r: Buffer): Buffer => r.subarray(PREV_AT, PREV_AT + 32);
/** Chain, prev and digest: two copies of a seq are the same event when these are equal. */
const identity = (r: Buffer): Buffer => r.subarray(CHAIN_AT, RECORD_BYTES);

function bound(r: Buffer): Bound {
  const timeMs = r.readDoubleLE(TIME_AT);
  return Number.isNaN(timeMs) ? { seq: seqOf(r) } : { seq: seqOf(r), timeMs };
}

function scanJournal(input: ScanInput): void {
  const { journal, keys, checkpoint, emit } = input;
  const seeds = keys.map((key) => chainSeed(key.bytes, journal));
  const skipped = mergeSkips(checkpoint?.skipped ?? [], input.checkpointSeqs);
  let problems = 0;
  let explained = 0;
  let events = 0;
  let duplicates = 0;
  let rotations = 0;
  let afterCheckpoint = 0;
  let firstSeq: number | undefined;
  let lastSeq: number | undefined;
  /** The last event that belongs to the chain (verified or altered). */
  let member: Buffer | undefined;
  /** An event that failed its own check, waiting for the next event to say ALTERED or FORGED. */
  let pending: Buffer | undefined;
  /** The chain starts where it entered (1 unless a windowed read entered later). */
  let start = 1;

  const report = (finding: Finding): void => {
    if (finding.kind === 'explained') explained++;
    else if (finding.kind !== 'entry' && finding.kind !== 'journal') problems++;
    emit(finding);
  };

  /** Seqs [from, to] with no event here and a chain that says they held events. */
  /** Returns how many findings it made (0: every seq between is a skip or a checkpoint's seq). */
  const missing = (
    from: number,
    to: number,
    after: Buffer | undefined,
    before: Buffer | undefined,
    tail = false,
  ): number => {
    const reportedBefore = problems + explained;
    let at = from;
    const gap = (a: number, b: number): void => {
      if (a > b) return;
      report({
        kind: 'missing',
        journal,
        from: a,
        to: b,
        ...(after ? { after: bound(after) } : {}),
        ...(before ? { before: bound(before) } : {}),
        ...(tail && checkpoint
          ? { checkpoint: { lastSeq: checkpoint.last_seq, time: checkpoint.time } }
          : {}),
      });
    };
    for (const [a, b] of subtractSkipped(from, to, skipped)) {
      at = a;
      for (const dead of input.deadLetters?.within(a, b) ?? []) {
        gap(at, dead.seq - 1);
        report({
          kind: 'explained',
          journal,
          seq: dead.seq,
          reason: dead.reason,
          detail: dead.detail,
          ...(dead.eventId !== undefined ? { eventId: dead.eventId } : {}),
          ...(dead.sink !== undefined ? { sink: dead.sink } : {}),
        });
        at = dead.seq + 1;
      }
      gap(at, b);
    }
    return problems + explained - reportedBefore;
  };

  const join = (n: Buffer): void => {
    const prev = prevOfRecord(n);
    const seq = seqOf(n);
    if (member === undefined) {
      if (seeds.some((seed) => seed.equals(prev))) return;
      if (input.windowed) {
        start = seq;
        report({ kind: 'entry', journal, seq });
      } else missing(1, seq - 1, undefined, n);
      return;
    }
    if (chainOfRecord(member).equals(prev)) return;
    if (keys.some((key) => rotationLink(key.bytes, journal, chainOfRecord(member!)).equals(prev))) {
      rotations++;
      return;
    }
    // A broken link with nothing that can be missing between: report the break itself.
    const m = seqOf(member);
    if (missing(m + 1, seq - 1, member, n) === 0) report({ kind: 'unlinked', journal, seq, afterSeq: m });
  };

  const accept = (n: Buffer): void => {
    join(n);
    member = n;
    events++;
    firstSeq ??= seqOf(n);
    lastSeq = seqOf(n);
    if (
      checkpoint &&
      seqOf(n) === checkpoint.last_seq &&
      chainOfRecord(n).toString('hex') !== checkpoint.head
    ) {
      report({ kind: 'head_mismatch', journal, seq: seqOf(n), checkpointTime: checkpoint.time });
    }
    if (checkpoint && seqOf(n) > checkpoint.last_seq) afterCheckpoint++;
  };

  /** The pending event is ALTERED when `confirmed` (its chain value is genuine), else FORGED. */
  const settle = (confirmed: boolean): void => {
    const p = pending!;
    pending = undefined;
    if (confirmed) {
      report({ kind: 'altered', journal, seq: seqOf(p), eventId: input.eventId(p) });
      accept(p);
    } else {
      report({ kind: 'forged', journal, seq: seqOf(p), eventId: input.eventId(p) });
    }
  };

  const consider = (r: Buffer): void => {
    if (pending) settle(prevOfRecord(r).equals(chainOfRecord(pending)));
    if (verifies(r)) accept(r);
    else pending = r;
  };

  // Fold the copies of each seq, then consider the one that stands for it.
  let group: Buffer[] = [];
  const flushGroup = (): void => {
    if (group.length === 0) return;
    const distinct: Buffer[] = [];
    for (const copy of group) {
      if (distinct.some((d) => identity(d).equals(identity(copy)))) duplicates++;
      else distinct.push(copy);
    }
    if (distinct.length > 1) {
      report({
        kind: 'conflict',
        journal,
        seq: seqOf(distinct[0]!),
        copies: distinct.map((c) => ({ eventId: input.eventId(c), verifies: verifies(c) })),
      });
    }
    consider(distinct.find(verifies) ?? distinct[0]!);
    group = [];
  };
  for (const record of input.records) {
    if (group.length > 0 && seqOf(group[0]!) !== seqOf(record)) flushGroup();
    group.push(record);
  }
  flushGroup();
  if (pending) {
    const p = pending;
    settle(
      checkpoint !== undefined &&
        checkpoint.last_seq === seqOf(p) &&
        chainOfRecord(p).toString('hex') === checkpoint.head,
    );
  }

  // A tail cut off after the last event present, up to what the newest checkpoint says.
  // A windowed read with no event of this journal has no anchor: its checkpoints describe events
  // outside the window.
  if (checkpoint && checkpoint.count > 0 && !(input.windowed && member === undefined)) {
    const last = member === undefined ? start - 1 : seqOf(member);
    if (last < checkpoint.last_seq) {
      const from = Math.max(last + 1, start);
      missing(from, checkpoint.last_seq, member, undefined, true);
    }
  }

  const summary: JournalSummary = {
    journal,
    events,
    ...(firstSeq !== undefined ? { firstSeq } : {}),
    ...(lastSeq !== undefined ? { lastSeq } : {}),
    duplicates,
    rotations,
    ...(checkpoint
      ? { checkpoint: { lastSeq: checkpoint.last_seq, time: checkpoint.time, keyId: checkpoint.key_id } }
      : {}),
    afterCheckpoint,
    problems,
    explained,
  };
  emit({ kind: 'journal', summary });
}

/**
 * The seqs that hold no event: a checkpoint's skipped ranges and the checkpoint seqs, as sorted
 * disjoint ranges (adjacent ones joined).
 */
export function mergeSkips(
  skipped: ReadonlyArray<readonly [number, number]>,
  checkpointSeqs: readonly number[],
): [number, number][] {
  const all: [number, number][] = skipped.map(([a, b]) => [a, b]);
  for (const seq of checkpointSeqs) all.push([seq, seq]);
  all.sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  for (const [a, b] of all) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * [from, to] less the skipped ranges (sorted and disjoint: mergeSkips), as sorted disjoint
 * ranges; a binary search finds where to start, so many checkpoints cost log time per gap.
 */
export function subtractSkipped(
  from: number,
  to: number,
  skipped: ReadonlyArray<readonly [number, number]>,
): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  let hi = skipped.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (skipped[mid]![1] < from) lo = mid + 1;
    else hi = mid;
  }
  let at = from;
  for (let i = lo; i < skipped.length && at <= to; i++) {
    const [a, b] = skipped[i]!;
    if (a > to) break;
    if (a > at) out.push([at, a - 1]);
    at = Math.max(at, b + 1);
  }
  if (at <= to) out.push([at, to]);
  return out;
}
