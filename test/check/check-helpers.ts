/**
 * Helpers for the online check's tests: one sink's verdict, its status and its printed line, and a
 * port nothing listens on.
 */
import assert from 'node:assert/strict';
import type { SinkConfig } from '../../src/config/types.js';
import { verdictStatus, type CheckStatus, type SinkVerdict } from '../../src/check/findings.js';
import { formatVerdict } from '../../src/check/report.js';
import { checkSinksOnline } from '../../src/check/run-check.js';
import { startScriptedReceiver } from '../receivers/scripted-receiver.js';

/** 2026-01-05T10:00:00Z: the daily index asked about is wirety-audit-2026.01.05. */
export const NOW_MS = Date.UTC(2026, 0, 5, 10);

export interface Checked {
  readonly verdict: SinkVerdict;
  readonly status: CheckStatus;
  /** The line --check-config --online prints for the sink. */
  readonly line: string;
}

export async function checkOne(sink: SinkConfig): Promise<Checked> {
  const [verdict] = await checkSinksOnline([sink], { nowMs: NOW_MS });
  assert.ok(verdict);
  return { verdict, status: verdictStatus(verdict), line: formatVerdict(verdict) };
}

/** The text of the finding matching `pattern`, and its status. */
export function finding(checked: Checked, pattern: RegExp): { status: CheckStatus; text: string } {
  const found = checked.verdict.findings.find((f) => pattern.test(f.text));
  assert.ok(found, `no finding matches ${pattern} in: ${checked.line}`);
  return found;
}

/** A local port that refuses connections: a receiver was listening there and is gone. */
export async function closedPort(): Promise<number> {
  const receiver = await startScriptedReceiver(() => ({ status: 204 }));
  await receiver.close();
  return receiver.port;
}
