/**
 * A Loki entry → what the shipper journaled. The log line is the original line byte for byte, so
 * the event is JSON.parse(line); the integrity fields are structured metadata (`event_id`, `seq`,
 * `journal`, `chain`, `chain_prev`). Checkpoints are their own stream (`wirety_ship_kind="checkpoint"`)
 * whose line is the checkpoint JSON.
 *
 * Where the metadata appears depends on how the entries were read:
 * - `logcli query --output=jsonl` prints `{"labels": {…}, "line": "…", "timestamp": "…"}` per entry,
 *   with structured metadata merged into `labels` (Loki's default answer merges them into the
 *   stream labels). logcli drops from `labels` every label common to all streams of a batch, so
 *   export with `--include-label` for each of our names (docs/verify.md); a line whose checkpoint
 *   label was dropped is still recognised by its content.
 * - A query_range answer gives `[ts, line]` per entry under the stream's labels, or
 *   `[ts, line, {structuredMetadata, parsed}]` when asked to categorise labels: both are merged here.
 */
import { CHECKPOINT_TYPE } from '../integrity/checkpoint.js';
import { eventFromFields, IGNORED, isObject, parseJson, type Observation } from './observation.js';

export const CHECKPOINT_KIND_LABEL = 'wirety_ship_kind';

/** One line of `logcli query --output=jsonl`. */
export function fromLogcliLine(text: string): Observation {
  if (text.trim() === '') return IGNORED;
  const parsed = parseJson(text);
  if (!parsed.ok) return { kind: 'unusable', why: 'unreadable', reason: parsed.reason };
  const entry = parsed.value;
  if (!isObject(entry) || typeof entry.line !== 'string') {
    return { kind: 'unusable', why: 'unreadable', reason: 'not a logcli jsonl entry (no "line")' };
  }
  const labels: Record<string, unknown> = { ...(isObject(entry.labels) ? entry.labels : {}) };
  // Newer or other tools may keep structured metadata apart from the stream labels.
  for (const key of ['structuredMetadata', 'structured_metadata']) {
    if (isObject(entry[key])) Object.assign(labels, entry[key]);
  }
  return fromLokiEntry(entry.line, labels);
}

/** An entry's line and every label it has (stream labels and structured metadata together). */
export function fromLokiEntry(line: string, labels: Readonly<Record<string, unknown>>): Observation {
  const parsed = parseJson(line);
  const hasChainFields =
    labels.chain !== undefined || labels.seq !== undefined || labels.journal !== undefined;
  if (
    labels[CHECKPOINT_KIND_LABEL] === 'checkpoint' ||
    (!hasChainFields && parsed.ok && isObject(parsed.value) && parsed.value.type === CHECKPOINT_TYPE)
  ) {
    return parsed.ok
      ? { kind: 'checkpoint', value: parsed.value }
      : { kind: 'unusable', why: 'unreadable', reason: `checkpoint line is ${parsed.reason}` };
  }
  if (!parsed.ok) {
    return hasChainFields
      ? { kind: 'unusable', why: 'unreadable', reason: `log line is ${parsed.reason}` }
      : { kind: 'unusable', why: 'unchained', reason: 'carries no integrity fields (seq, journal, chain)' };
  }
  const observed = eventFromFields(
    {
      journal: labels.journal,
      seq: labels.seq,
      eventId: labels.event_id,
      chain: labels.chain,
      prev: labels.chain_prev,
    },
    [parsed.value],
  );
  if (observed.kind === 'unusable' && observed.why === 'unreadable' && labels.journal === undefined) {
    return {
      ...observed,
      reason: `${observed.reason} (logcli leaves out labels common to a batch: export with --include-label, see docs/verify.md)`,
    };
  }
  return observed;
}
