/**
 * What `--check-config --online` found for one sink: findings in the order they were checked, each
 * with its own status. A sink's status is its worst finding's: `fail` when something a run needs
 * does not work, `warn` when it works but not as configured or not fully known, `ok` otherwise.
 *
 * Finding texts are printed as they are: they never hold a secret (reply bodies come through the
 * transport, which scrubs the sink's credentials and headers from them).
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly status: CheckStatus;
  readonly text: string;
}

export interface SinkVerdict {
  readonly name: string;
  /** The sink's URL as configured; absent for stdout. */
  readonly target?: string;
  readonly findings: readonly Finding[];
}

export interface Findings {
  readonly list: readonly Finding[];
  ok(text: string): void;
  warn(text: string): void;
  fail(text: string): void;
}

export function createFindings(): Findings {
  const list: Finding[] = [];
  return {
    list,
    ok: (text) => list.push({ status: 'ok', text }),
    warn: (text) => list.push({ status: 'warn', text }),
    fail: (text) => list.push({ status: 'fail', text }),
  };
}

const RANK: Readonly<Record<CheckStatus, number>> = { ok: 0, warn: 1, fail: 2 };

export function verdictStatus(verdict: SinkVerdict): CheckStatus {
  let worst: CheckStatus = 'ok';
  for (const { status } of verdict.findings) if (RANK[status] > RANK[worst]) worst = status;
  return worst;
}
