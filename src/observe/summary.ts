/**
 * The one-line progress/summary on stderr: where every line went, and per sink what was
 * delivered, refused (dead-lettered), not encodable (dead-lettered), retried and is still pending. The numbers are the same
 * counters /metrics exports, so the summary and the dashboards never disagree.
 */
import type { Stats } from './stats.js';

export interface SinkProgress {
  readonly name: string;
  /** Events journaled but not yet final for this sink. */
  readonly pending: number;
}

export function formatSummary(stats: Stats, sinks: readonly SinkProgress[]): string {
  const v = stats.verdicts;
  const parts = [
    `lines=${stats.linesRead}`,
    `valid=${v.valid}`,
    `not_audit=${v.not_audit}`,
    `not_json=${v.not_json}`,
    `invalid=${v.invalid}`,
    `unknown_action=${stats.unknownActions}`,
    `journaled=${stats.journaled}`,
    `dropped_full=${stats.droppedFull}`,
    ...(stats.unjournaled > 0 ? [`unjournaled=${stats.unjournaled}`] : []),
    `dead_lettered=${stats.deadLettered}`,
    ...(stats.deadLetterFailed > 0 ? [`dead_letter_failed=${stats.deadLetterFailed}`] : []),
  ];
  for (const sink of sinks) {
    const s = stats.sinks.get(sink.name);
    const retries = s ? Object.values(s.retries).reduce((a, b) => a + b, 0) : 0;
    // encode_failed, omitted and abandoned are rare: shown only when they happened.
    const encodeFailed = s?.encodeFailed ? ` encode_failed=${s.encodeFailed}` : '';
    const omitted = s?.valuesOmitted ? ` omitted=${s.valuesOmitted}` : '';
    const abandoned = s?.abandoned ? ` abandoned=${s.abandoned}` : '';
    parts.push(
      `| ${sink.name}: delivered=${s?.delivered ?? 0} rejected=${s?.rejected ?? 0}${encodeFailed}${omitted}${abandoned} retries=${retries} pending=${sink.pending}`,
    );
  }
  return parts.join(' ');
}

/** The same numbers as a JSON object, for the JSON log format. */
export function summaryFields(stats: Stats, sinks: readonly SinkProgress[]): Record<string, unknown> {
  return {
    lines_read: stats.linesRead,
    ...stats.verdicts,
    unknown_actions: stats.unknownActions,
    journaled: stats.journaled,
    dropped_full: stats.droppedFull,
    unjournaled: stats.unjournaled,
    dead_lettered: stats.deadLettered,
    dead_letter_failed: stats.deadLetterFailed,
    sinks: Object.fromEntries(
      sinks.map((sink) => {
        const s = stats.sinks.get(sink.name);
        return [
          sink.name,
          {
            delivered: s?.delivered ?? 0,
            rejected: s?.rejected ?? 0,
            ...(s?.encodeFailed ? { encode_failed: s.encodeFailed } : {}),
            ...(s?.valuesOmitted ? { values_omitted: s.valuesOmitted } : {}),
            ...(s?.abandoned ? { abandoned: s.abandoned } : {}),
            retries: s?.retries ?? {},
            pending: sink.pending,
          },
        ];
      }),
    ),
  };
}
