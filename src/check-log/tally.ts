/**
 * What `wirety-ship check` found: exact counts per verdict (the shipper's own buckets, observe/stats.ts
 * `verdicts`), why each invalid line is invalid (the shipper's dead-letter reasons), the actions
 * outside the catalogue, and the lines to list.
 *
 * Invariants: counts are always exact; what is kept per line is bounded (at most `maxListed`
 * findings and `maxListed` distinct unknown actions), so memory does not grow with the input.
 */

/** The shipper's verdicts: every line lands in exactly one. */
export interface VerdictCounts {
  valid: number;
  invalid: number;
  not_json: number;
  not_audit: number;
  empty: number;
}

/**
 * Why a line is counted invalid, named as the shipper's dead-letter `reason`:
 * the schema refused it (`invalid`), it nests too deep, it is over max_line_bytes or not UTF-8,
 * or its action is outside the catalogue under `audit.unknown_actions: dead_letter`.
 */
export type InvalidReason = 'invalid' | 'too_deep' | 'line_too_long' | 'invalid_utf8' | 'unknown_action';

/** A line the shipper would dead-letter: an invalid one or one that is not JSON. */
export interface Finding {
  /** The file as named on the command line, or "stdin". */
  readonly source: string;
  /** 1-based line number (as `sed -n 'Np'` counts). */
  readonly line: number;
  /** Byte offset of the line's first byte in its source. */
  readonly byteOffset: number;
  readonly verdict: 'invalid' | 'not_json';
  /** The dead-letter reason the shipper would write. */
  readonly reason: InvalidReason | 'not_json';
  /** JSON pointer of the field at fault, when the schema names one ("" for the whole line). */
  readonly path?: string;
  readonly detail: string;
  readonly action?: string;
}

export interface UnknownAction {
  readonly action: string;
  count: number;
  /** Where it first appears. */
  readonly source: string;
  readonly line: number;
}

export interface Tally {
  readonly files: string[];
  lines: number;
  readonly verdicts: VerdictCounts;
  readonly invalidReasons: Record<InvalidReason, number>;
  /** Lines with an action outside the catalogue (valid, or invalid under dead_letter). */
  unknownActionLines: number;
  /** At most maxListed distinct actions, in order of first appearance; later ones only counted. */
  readonly unknownActions: Map<string, UnknownAction>;
  /** Every finding, counted; at most maxListed kept, in input order. */
  findingsTotal: number;
  readonly findings: Finding[];
  readonly maxListed: number;
}

export function createTally(maxListed: number): Tally {
  return {
    files: [],
    lines: 0,
    verdicts: { valid: 0, invalid: 0, not_json: 0, not_audit: 0, empty: 0 },
    invalidReasons: { invalid: 0, too_deep: 0, line_too_long: 0, invalid_utf8: 0, unknown_action: 0 },
    unknownActionLines: 0,
    unknownActions: new Map(),
    findingsTotal: 0,
    findings: [],
    maxListed,
  };
}

/** Counts a finding and keeps it while under the cap. */
export function addFinding(tally: Tally, finding: Finding): void {
  if (finding.verdict === 'invalid') {
    tally.verdicts.invalid++;
    tally.invalidReasons[finding.reason as InvalidReason]++;
  } else {
    tally.verdicts.not_json++;
  }
  tally.findingsTotal++;
  if (tally.findings.length < tally.maxListed) tally.findings.push(finding);
}

/** Counts a line whose action is outside the catalogue (its verdict is counted by the caller). */
export function addUnknownAction(tally: Tally, action: string, source: string, line: number): void {
  tally.unknownActionLines++;
  const seen = tally.unknownActions.get(action);
  if (seen) seen.count++;
  else if (tally.unknownActions.size < tally.maxListed)
    tally.unknownActions.set(action, { action, count: 1, source, line });
}
