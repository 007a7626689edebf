/**
 * CRI log lines (kubelet's `parseCRILog`): `<timestamp> <stdout|stderr> <tags> <content>`, single
 * spaces; the first `:`-separated tag is `P` (partial) or `F` (full). containerd writes RFC3339Nano
 * with the fraction's trailing zeros trimmed and `Z`; CRI-O 9 digits and a numeric offset. The
 * timestamp is checked for shape only (both styles pass); the content is kept as bytes.
 */
import type { ParsedEntry } from './container-log-entry.js';

const SPACE = 0x20;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function parseCriLine(line: Buffer): ParsedEntry {
  const first = line.indexOf(SPACE);
  if (first === -1) return { error: 'no space after the timestamp' };
  const timestamp = line.toString('latin1', 0, first);
  if (!TIMESTAMP.test(timestamp)) return { error: `not an RFC3339 timestamp: ${timestamp.slice(0, 40)}` };
  const second = line.indexOf(SPACE, first + 1);
  if (second === -1) return { error: 'no space after the stream' };
  const stream = line.toString('latin1', first + 1, second);
  if (stream !== 'stdout' && stream !== 'stderr') return { error: `unknown stream: ${stream.slice(0, 20)}` };
  // The kubelet accepts a full line with no content and no space after the tags.
  let third = line.indexOf(SPACE, second + 1);
  if (third === -1) third = line.length;
  const tag = line.toString('latin1', second + 1, third).split(':')[0];
  if (tag !== 'P' && tag !== 'F') return { error: `unknown tag: ${tag?.slice(0, 20)}` };
  return { stream, final: tag === 'F', content: line.subarray(Math.min(third + 1, line.length)) };
}

/** True when `head` (a file's first bytes) starts like a CRI log line. */
export function looksLikeCri(head: Buffer): boolean {
  return /^\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}) (?:stdout|stderr) [PF][: ]/.test(
    head.toString('latin1', 0, 80),
  );
}
