/**
 * One verification: every source's records through the verifier, the findings to the report.
 * A source is an export file in one of FORMATS, a checkpoint file, or a query (query-*.ts).
 */
import type { IntegrityKey } from '../integrity/key.js';
import type { DeadLetterIndex } from './dead-letters.js';
import { FORMATS, type ExportFormat } from './formats.js';
import { parseJson, type Observation } from './observation.js';
import { readLines } from './read-lines.js';
import { createReportWriter } from './report.js';
import type { SpillSortOptions } from './spill-sort.js';
import { createVerifier } from './verifier.js';

export interface Located {
  readonly observation: Observation;
  readonly where: string;
}

export type RecordSource = () => AsyncIterable<Located>;

export interface VerificationOptions {
  readonly keys: readonly IntegrityKey[];
  readonly sources: readonly RecordSource[];
  readonly deadLetters?: DeadLetterIndex;
  readonly windowed?: boolean;
  readonly json: boolean;
  readonly write: (text: string) => void;
  readonly sort?: SpillSortOptions;
}

export interface VerificationResult {
  /** Nothing unexplained. */
  readonly ok: boolean;
  readonly records: number;
  /** Sort runs spilled to disk (0: all in memory). */
  readonly runs: number;
}

export async function runVerification(options: VerificationOptions): Promise<VerificationResult> {
  const verifier = createVerifier({
    keys: options.keys,
    ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    windowed: options.windowed ?? false,
    ...(options.sort ? { sort: options.sort } : {}),
  });
  let records = 0;
  try {
    for (const source of options.sources) {
      for await (const { observation, where } of source()) {
        if (observation.kind !== 'ignored') records++;
        verifier.add(observation, where);
      }
    }
  } catch (error) {
    // Temp files go even when a read fails half-way.
    verifier.discard();
    throw error;
  }
  const runs = verifier.runs;
  const report = createReportWriter(options.write, options.json);
  verifier.finish((finding) => report.write(finding));
  return { ok: report.end({ events: records }), records, runs };
}

/** An export file read line by line in `format`. */
export function exportFile(file: string, format: ExportFormat): RecordSource {
  const parse = FORMATS[format];
  return async function* () {
    let line = 0;
    for await (const text of readLines(file)) {
      line++;
      yield { observation: parse(text), where: `${file}:${line}` };
    }
  };
}

/** A checkpoint file (the shipper's `checkpoint_file`, or a witness's copy): one checkpoint per line. */
export function checkpointFile(file: string): RecordSource {
  return async function* () {
    let line = 0;
    for await (const text of readLines(file)) {
      line++;
      if (text.trim() === '') continue;
      const parsed = parseJson(text);
      yield {
        observation: parsed.ok
          ? { kind: 'checkpoint', value: parsed.value }
          : { kind: 'unusable', why: 'unreadable', reason: `checkpoint line is ${parsed.reason}` },
        where: `${file}:${line}`,
      };
    }
  };
}
