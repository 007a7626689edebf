/**
 * The summary at exit and the progress lines on stderr: where every line went, and per sink what
 * was delivered, refused (dead-lettered), not encodable (dead-lettered), retried and is still
 * pending, and for a sink that is failing, since when and its last error.
 *
 * Invariant: one name per number. Each key here is the word the JSON summary, the text summary and
 * /metrics all use (`journaled=` ↔ "journaled" ↔ wirety_ship_journaled_total; per sink
 * `delivered=` ↔ wirety_ship_sink_delivered_total{sink}; `pending` ↔ wirety_ship_sink_pending),
 * and the numbers are the same counters, so summary and dashboards never disagree. The line
 * buckets add up: lines_read = valid + not_audit + not_json + empty + invalid.
 */
import type { SinkStats, Stats } from '../observe/stats.js';

export interface SinkProgress {
  readonly name: string;
  /** Events journaled but not yet final for this sink. */
  readonly pending: number;
}

/** A receiver's error text can be long; the summary keeps its start. */
const MAX_ERROR_CHARS = 300;

export function formatSummary(stats: Stats, sinks: readonly SinkProgress[]): string {
  const v = stats.verdicts;
  const parts = [
    `lines_read=${stats.linesRead}`,
    `valid=${v.valid}`,
    `not_audit=${v.not_audit}`,
    `not_json=${v.not_json}`,
    `empty=${v.empty}`,
    `invalid=${v.invalid}`,
    `unknown_actions=${stats.unknownActions}`,
    `journaled=${stats.journaled}`,
    `dropped_full=${stats.droppedFull}`,
    ...(stats.unjournaled > 0 ? [`unjournaled=${stats.unjournaled}`] : []),
    ...(stats.alreadyJournaled > 0 ? [`already_journaled=${stats.alreadyJournaled}`] : []),
    `dead_lettered=${stats.deadLettered}`,
    ...(stats.deadLetterFailed > 0 ? [`dead_letter_failed=${stats.deadLetterFailed}`] : []),
  ];
  for (const sink of sinks) {
    const s = stats.sinks.get(sink.name);
    const retries = s ? Object.values(s.retries).reduce((a, b) => a + b, 0) : 0;
    // encode_failed, values_omitted, abandoned and lost_damaged are rare: shown only when they happened.
    const encodeFailed = s?.encodeFailed ? ` encode_failed=${s.encodeFailed}` : '';
    const omitted = s?.valuesOmitted ? ` values_omitted=${s.valuesOmitted}` : '';
    const abandoned = s?.abandoned ? ` abandoned=${s.abandoned}` : '';
    const lostDamaged = s?.lostDamaged ? ` lost_damaged=${s.lostDamaged}` : '';
    const failing = s ? failure(s) : undefined;
    const failingText = failing
      ? ` failing_since=${failing.failing_since} last_error=${JSON.stringify(failing.last_error)}`
      : '';
    parts.push(
      `| ${sink.name}: delivered=${s?.delivered ?? 0} rejected=${s?.rejected ?? 0}${encodeFailed}${omitted}${abandoned}${lostDamaged} retries=${retries} pending=${sink.pending}${failingText}`,
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
    input_bytes: stats.inputBytes,
    journaled: stats.journaled,
    dropped_full: stats.droppedFull,
    unjournaled: stats.unjournaled,
    already_journaled: stats.alreadyJournaled,
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
            ...(s?.lostDamaged ? { lost_damaged: s.lostDamaged } : {}),
            retries: s?.retries ?? {},
            pending: sink.pending,
            ...(s ? failure(s) : {}),
          },
        ];
      }),
    ),
  };
}

/** For a sink whose last attempt failed: since when it has been failing, and its last error. */
function failure(s: SinkStats): { failing_since: string; last_error: string } | undefined {
  if (s.failingSinceMs === undefined) return undefined;
  const error = s.lastError ?? 'unknown';
  return {
    failing_since: new Date(s.failingSinceMs).toISOString(),
    last_error: error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error,
  };
}
