/**
 * `wirety-ship check`'s output: human text (counts, then one `file:line: reason: path: detail
 * (action)` line per finding, in input order) or one JSON object with the same facts. Counts are
 * always exact; the listing stops at --max-listed and says how many it left out.
 */
import type { CheckLogOptions } from './run-check-log.js';
import type { Finding, Tally } from './tally.js';

/** True when no audit line is invalid: `check` exits 0. */
export const passes = (tally: Tally): boolean => tally.verdicts.invalid === 0;

export function formatText(tally: Tally, options: CheckLogOptions): string {
  const v = tally.verdicts;
  const width = String(Math.max(tally.lines, 1)).length;
  const n = (count: number) => String(count).padStart(width);
  const out: string[] = [];
  const where = tally.files.length === 1 ? tally.files[0] : `${tally.files.length} inputs`;
  out.push(`checked ${tally.lines} ${plural(tally.lines, 'line')} in ${where}`);

  let validNote = '';
  if (options.unknownActions === 'forward' && tally.unknownActionLines > 0)
    validNote = `  of which ${tally.unknownActionLines} with an action outside the catalogue (shipped: audit.unknown_actions: forward)`;
  out.push(`valid      ${n(v.valid)}${validNote}`);
  const reasons = Object.entries(tally.invalidReasons)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`);
  out.push(
    `invalid    ${n(v.invalid)}${v.invalid > 0 ? `  dead-lettered by the shipper: ${reasons.join(', ')}` : ''}`,
  );
  out.push(
    `not_json   ${n(v.not_json)}${v.not_json > 0 ? '  dead-lettered by the shipper (only counted with audit.not_json: count)' : ''}`,
  );
  out.push(`not_audit  ${n(v.not_audit)}  ordinary log lines: counted, never shipped`);
  out.push(`empty      ${n(v.empty)}`);

  if (tally.unknownActions.size > 0) {
    const listed = [...tally.unknownActions.values()].map(
      (u) => `${u.action} ×${u.count} (first at ${u.source}:${u.line})`,
    );
    out.push('', `actions outside the catalogue: ${listed.join(', ')}`);
  }

  if (tally.findingsTotal > 0) {
    out.push('', `lines the shipper dead-letters (${tally.findingsTotal}):`);
    for (const finding of tally.findings) out.push(formatFinding(finding));
    const left = tally.findingsTotal - tally.findings.length;
    if (left > 0)
      out.push(`… and ${left} more (listed the first ${tally.findings.length}; --max-listed N shows more)`);
  }

  out.push(
    '',
    passes(tally)
      ? 'result: no invalid audit line'
      : `result: ${v.invalid} invalid audit ${plural(v.invalid, 'line')}`,
  );
  return out.join('\n') + '\n';
}

/** `file:line: reason: path: detail (action)`; the path is left out where there is none. */
export function formatFinding(f: Finding): string {
  const path = f.path ? `${f.path}: ` : '';
  const action = f.action !== undefined ? ` (${f.action})` : '';
  return `${f.source}:${f.line}: ${f.reason}: ${path}${f.detail}${action}`;
}

/** The JSON report (`--json`): one object, snake_case like the shipper's summary. */
export function formatJson(tally: Tally, options: CheckLogOptions): string {
  const report = {
    ok: passes(tally),
    inputs: tally.files,
    lines: tally.lines,
    verdicts: tally.verdicts,
    invalid_reasons: tally.invalidReasons,
    unknown_actions: {
      lines: tally.unknownActionLines,
      actions: [...tally.unknownActions.values()].map((u) => ({
        action: u.action,
        count: u.count,
        first: { source: u.source, line: u.line },
      })),
    },
    findings_total: tally.findingsTotal,
    findings: tally.findings.map((f) => ({
      source: f.source,
      line: f.line,
      byte_offset: f.byteOffset,
      verdict: f.verdict,
      reason: f.reason,
      ...(f.path !== undefined ? { path: f.path } : {}),
      detail: f.detail,
      ...(f.action !== undefined ? { action: f.action } : {}),
    })),
    settings: {
      max_line_bytes: options.maxLineBytes,
      max_depth: options.maxDepth,
      unknown_actions: options.unknownActions,
      max_listed: options.maxListed,
    },
  };
  return JSON.stringify(report) + '\n';
}

const plural = (count: number, word: string) => (count === 1 ? word : `${word}s`);
