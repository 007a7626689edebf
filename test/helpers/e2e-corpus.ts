/**
 * Shared pieces of the journal and metrics end-to-end tests: a deterministic input where every line
 * is unique (so a delivered line names its input position), the verdict of each line computed with
 * the real classifier, and readers for what the CLI prints on stderr (JSON logs, the summary).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClassifier } from '../../src/audit/classify.js';

export interface Corpus {
  /** The whole input, newline-terminated. */
  readonly input: string;
  readonly lines: readonly string[];
  /** The valid lines, in input order: what the journal should hold, seq 1..n in this order. */
  readonly validLines: readonly string[];
  /** Byte offset in `input` just past each valid line (same index as validLines). */
  readonly validEnds: readonly number[];
  readonly counts: Readonly<Record<'valid' | 'not_audit' | 'invalid' | 'not_json' | 'empty', number>>;
}

/**
 * `count` lines, every one unique (its number is in it): mostly valid agent and server audit
 * events, plus request logs (not_audit), audit lines with a wrongly typed field (invalid) and
 * truncated JSON (not_json). `pad` adds bytes to each valid line's message.
 */
export function makeCorpus(count: number, options: { pad?: number; onlyValid?: boolean } = {}): Corpus {
  const pad = 'x'.repeat(options.pad ?? 0);
  const make = (n: number): string => {
    const t = 1748000000 + n;
    switch (options.onlyValid ? n % 2 : n % 10) {
      case 1:
      case 4:
        return `{"level":"info","log_type":"audit","time":${t},"actor_id":"admin","actor_email":"admin@wirety.local","remote_ip":"192.0.2.10","action":"peer.create","network_id":"net-1","peer_id":"srv-peer-${n}","peer_name":"p${n}${pad}","message":"audit"}`;
      case 7:
        return `{"level":"info","log_type":"access","method":"GET","path":"/api/v1/networks/${n}","status":200,"time":${t},"message":"request"}`;
      case 8:
        return `{"level":"info","log_type":"audit","time":"${t}","actor_type":"agent","peer_id":"bad-${n}","network_id":"net-1","action":"config.sync","message":"audit"}`;
      case 9:
        return `{"level":"info","log_type":"audit","time":${t},"actor_type":"agent","peer_id":"cut-${n}"`;
      default:
        return `{"level":"info","log_type":"audit","time":${t},"actor_type":"agent","peer_id":"peer-${n}","network_id":"net-1","action":"config.sync","message":"audit${pad}"}`;
    }
  };
  const classify = createClassifier();
  const lines: string[] = [];
  const validLines: string[] = [];
  const validEnds: number[] = [];
  const counts = { valid: 0, not_audit: 0, invalid: 0, not_json: 0, empty: 0 };
  let offset = 0;
  for (let n = 0; n < count; n++) {
    const line = make(n);
    lines.push(line);
    offset += Buffer.byteLength(line) + 1;
    const verdict = classify(line).verdict;
    counts[verdict]++;
    if (verdict === 'valid') {
      validLines.push(line);
      validEnds.push(offset);
    }
  }
  return { input: lines.join('\n') + '\n', lines, validLines, validEnds, counts };
}

/** The JSON log lines the CLI printed on stderr (WIRETY_SHIP_LOG_FORMAT=json). */
export function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface SinkSummary {
  readonly delivered: number;
  readonly rejected: number;
  /** Only when not zero. */
  readonly encode_failed?: number;
  readonly values_omitted?: number;
  /** stdout only, when its reader closed the pipe (printed only when not 0). */
  readonly abandoned?: number;
  readonly retries: Record<string, number>;
  readonly pending: number;
  /** Only while the sink's last attempt failed. */
  readonly failing_since?: string;
  readonly last_error?: string;
}

export interface Summary {
  readonly lines_read: number;
  readonly valid: number;
  readonly not_audit: number;
  readonly not_json: number;
  readonly empty: number;
  readonly invalid: number;
  readonly journaled: number;
  readonly dropped_full: number;
  readonly dead_lettered: number;
  readonly sinks: Record<string, SinkSummary>;
}

/** The final summary log line; throws (with stderr) when there is none. */
export function summaryOf(stderr: string): Summary {
  const found = logLines(stderr).find((l) => l.msg === 'summary');
  if (!found) throw new Error(`no summary on stderr:\n${stderr}`);
  return found as unknown as Summary;
}

/** Index of each line in `lines` (lines are unique). */
export function indexOfLines(lines: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  lines.forEach((l, i) => map.set(l, i));
  return map;
}

/** Event ids the journal derives: `${journalId}-${seq}`. */
export function seqOf(eventId: string, journalId: string): number {
  assertPrefix(eventId, journalId);
  return Number(eventId.slice(journalId.length + 1));
}

function assertPrefix(eventId: string, journalId: string): void {
  if (!eventId.startsWith(journalId + '-') || !/^\d+$/.test(eventId.slice(journalId.length + 1)))
    throw new Error(`event id ${eventId} is not derived from journal ${journalId}`);
}

export async function journalIdOf(dataDir: string): Promise<string> {
  const meta = JSON.parse(await readFile(path.join(dataDir, 'meta.json'), 'utf8')) as { journalId: string };
  return meta.journalId;
}

/** committedSeq from cursor-<sink>.json, or undefined if the file does not exist (yet). */
export async function persistedCursor(dataDir: string, sink: string): Promise<number | undefined> {
  try {
    const c = JSON.parse(await readFile(path.join(dataDir, `cursor-${sink}.json`), 'utf8')) as {
      committedSeq: number;
    };
    return c.committedSeq;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function segmentFiles(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir))
    .filter((f) => /^segment-\d{20}\.log$/.test(f))
    .sort()
    .map((f) => path.join(dataDir, f));
}

/** Dead-letter records, [] when the file was never created. */
export async function deadLetters(file: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface TempDir {
  readonly path: string;
  file(name: string): string;
  writeConfig(name: string, yaml: string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    path: dir,
    file: (name) => path.join(dir, name),
    async writeConfig(name, yaml) {
      const file = path.join(dir, name);
      await writeFile(file, yaml);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Counts how often each value occurs. */
export function tally<T>(values: Iterable<T>): Map<T, number> {
  const m = new Map<T, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}
