/**
 * What `verify` reports: one finding per problem or explanation, then one summary per journal.
 * Plain data: report.ts turns them into human lines or JSON lines. `unexplained()` is what decides
 * the exit code (docs/verify.md).
 */

/** An event's position and time, for the span of a gap. */
export interface Bound {
  readonly seq: number;
  /** Event time (ms since the epoch); absent when the event has none. */
  readonly timeMs?: number;
}

export type Finding =
  /** Seqs [from, to] held events (the chain or a checkpoint says so) and none is in the sink. */
  | {
      readonly kind: 'missing';
      readonly journal: string;
      readonly from: number;
      readonly to: number;
      readonly after?: Bound;
      readonly before?: Bound;
      /** Set for a tail cut off: the checkpoint that says the journal reached this far. */
      readonly checkpoint?: { readonly lastSeq: number; readonly time: string };
    }
  /** A missing seq that a dead-letter record accounts for. */
  | {
      readonly kind: 'explained';
      readonly journal: string;
      readonly seq: number;
      readonly eventId?: string;
      readonly sink?: string;
      readonly reason: string;
      readonly detail: string;
    }
  /** Content does not match its chain value, and the chain value is genuine (the next event links to it). */
  | { readonly kind: 'altered'; readonly journal: string; readonly seq: number; readonly eventId: string }
  /** A chain value no given key made for this content, and nothing links to it. */
  | { readonly kind: 'forged'; readonly journal: string; readonly seq: number; readonly eventId: string }
  /** Different copies of one seq. */
  | {
      readonly kind: 'conflict';
      readonly journal: string;
      readonly seq: number;
      readonly copies: readonly { readonly eventId: string; readonly verifies: boolean }[];
    }
  /** Consecutive seqs whose link is broken: nothing can be missing between them, yet prev does not match. */
  | { readonly kind: 'unlinked'; readonly journal: string; readonly seq: number; readonly afterSeq: number }
  /** The event at a checkpoint's last_seq does not carry the checkpoint's head. */
  | {
      readonly kind: 'head_mismatch';
      readonly journal: string;
      readonly seq: number;
      readonly checkpointTime: string;
    }
  | { readonly kind: 'bad_checkpoint'; readonly where: string; readonly reason: string }
  /** Records that could not be checked; `count` of them, `examples` the first few. */
  | {
      readonly kind: 'unusable';
      readonly why: 'unchained' | 'unreadable';
      readonly count: number;
      readonly examples: readonly { readonly where: string; readonly reason: string }[];
    }
  /** A time-windowed read: the journal's chain enters the window at `seq` (not a problem). */
  | { readonly kind: 'entry'; readonly journal: string; readonly seq: number }
  | { readonly kind: 'journal'; readonly summary: JournalSummary };

export interface JournalSummary {
  readonly journal: string;
  /** Distinct seqs present with an event (altered ones included, forged ones not). */
  readonly events: number;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
  /** Identical extra copies seen (harmless: at-least-once delivery). */
  readonly duplicates: number;
  /** Links made across a key rotation. */
  readonly rotations: number;
  /** The newest valid checkpoint seen for this journal. */
  readonly checkpoint?: { readonly lastSeq: number; readonly time: string; readonly keyId: string };
  /** Events after the newest checkpoint: covered only by the chain. */
  readonly afterCheckpoint: number;
  /** Problems found in this journal (findings that are not explained). */
  readonly problems: number;
  readonly explained: number;
}

const UNEXPLAINED = new Set<Finding['kind']>([
  'missing',
  'altered',
  'forged',
  'conflict',
  'unlinked',
  'head_mismatch',
  'bad_checkpoint',
  'unusable',
]);

export function unexplained(finding: Finding): boolean {
  return UNEXPLAINED.has(finding.kind);
}
