/**
 * One hint when standard input is a terminal: someone typed `wirety-ship` alone and sees nothing
 * happen, because it waits for audit lines on stdin. Said once, at start, on stderr, and only
 * when stdin is a TTY: a pipe or a file is the normal case and gets no noise. In JSON log mode it
 * is a log entry like any other, so a log collector on stderr still reads one JSON object a line.
 */
import type { Logger } from './observe/logger.js';

export const STDIN_HINT =
  "reading audit lines from stdin (a terminal); pipe wirety's output in, e.g. `AUDIT_LOG=true wirety-server | wirety-ship`, or see --help";

export interface HintTarget {
  readonly format: 'json' | 'text';
  readonly logger: Logger;
  /** Raw stderr, for the plain line a person at a terminal reads. */
  readonly write: (text: string) => void;
}

/** Prints the hint when `stdin` is a terminal; returns whether it did. */
export function hintIfTerminal(stdin: { readonly isTTY?: boolean }, target: HintTarget): boolean {
  if (stdin.isTTY !== true) return false;
  if (target.format === 'json') target.logger.info(STDIN_HINT);
  else target.write(`wirety-ship: ${STDIN_HINT}\n`);
  return true;
}
