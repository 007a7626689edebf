/**
 * Docker json-file lines (moby `jsonfilelog`): `{"log":"…\n","stream":"stdout","time":"…"}`.
 * Go's encoder escapes `<`, `>`, `&` as `\u003c` etc.; JSON.parse undoes that. A partial piece
 * (a line over 16 KiB cut by the daemon) has no trailing `\n` in `log`.
 */
import type { ParsedEntry } from './container-log-entry.js';

export function parseDockerLine(text: string): ParsedEntry {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (typeof record !== 'object' || record === null) return { error: 'not a JSON object' };
  const { log, stream } = record as { log?: unknown; stream?: unknown };
  if (typeof log !== 'string') return { error: 'no "log" string' };
  if (stream !== 'stdout' && stream !== 'stderr')
    return { error: `unknown stream: ${String(stream).slice(0, 20)}` };
  const final = log.endsWith('\n');
  return { stream, final, content: Buffer.from(final ? log.slice(0, -1) : log, 'utf8') };
}

/** True when `head` (a file's first bytes) starts like a json-file line. */
export function looksLikeDocker(head: Buffer): boolean {
  return /^\{"log":"/.test(head.toString('latin1', 0, 16));
}
