/**
 * The printed result of `--check-config --online`: one line per sink, its status first, then what
 * was found in the order checked, and a last line with the count. The exit code follows the
 * worst status: 0 when no sink failed (warnings pass), EXIT_CHECK_FAILED otherwise.
 */
import { EXIT } from '../errors.js';
import { verdictStatus, type CheckStatus, type SinkVerdict } from './findings.js';

/** sysexits' EX_UNAVAILABLE: a receiver cannot be used as configured. 78 stays "config invalid". */
export const EXIT_CHECK_FAILED = EXIT.CHECK_FAILED;

const LABEL: Readonly<Record<CheckStatus, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function formatVerdict(verdict: SinkVerdict): string {
  const target = verdict.target === undefined ? '' : ` (${verdict.target})`;
  const found = verdict.findings.map((f) => f.text).join(', ');
  return `${LABEL[verdictStatus(verdict)]} ${verdict.name}${target}: ${found}`;
}

export function formatReport(verdicts: readonly SinkVerdict[]): string {
  if (verdicts.length === 0) return '\nonline check: no sinks configured, nothing to check\n';
  const failed = verdicts.filter((v) => verdictStatus(v) === 'fail').length;
  const warned = verdicts.filter((v) => verdictStatus(v) === 'warn').length;
  const sinks = `${verdicts.length} sink${verdicts.length === 1 ? '' : 's'}`;
  const result =
    failed > 0
      ? `online check: ${failed} of ${sinks} failed (exit ${EXIT_CHECK_FAILED})`
      : `online check: ${sinks} passed${warned > 0 ? `, ${warned} with warnings` : ''}`;
  return ['', 'online check (requests that store nothing):', ...verdicts.map(formatVerdict), result, ''].join(
    '\n',
  );
}

export function checkExitCode(verdicts: readonly SinkVerdict[]): number {
  return verdicts.some((v) => verdictStatus(v) === 'fail') ? EXIT_CHECK_FAILED : 0;
}
