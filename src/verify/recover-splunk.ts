/**
 * A line of Splunk's `search/jobs/export` with `output_mode=json` → what the shipper journaled.
 *
 * Each result line is `{"preview":false,"result":{"_raw":"…", <field>: "…", …}}` (other lines:
 * `lastrow`, `messages`: nothing to verify). `_raw` is the event the HEC envelope carried
 * (sinks/splunk-hec/encode.ts splices the original line in as `event`), so the event is
 * JSON.parse(_raw). The integrity fields are the envelope's indexed `fields` (`event_id`, `seq`,
 * `journal`, `chain`, `chain_prev`): a search returns them when it names them (docs/verify.md:
 * `| fields _raw sourcetype seq event_id journal chain chain_prev`). Values come back as strings,
 * or as arrays when a field has several values (then the first is used). Checkpoints are the
 * sourcetype `wirety_ship:checkpoint`, with the checkpoint object as the event.
 */
import { CHECKPOINT_TYPE } from '../integrity/checkpoint.js';
import { eventFromFields, IGNORED, isObject, parseJson, type Observation } from './observation.js';

export const CHECKPOINT_SOURCETYPE = 'wirety_ship:checkpoint';

export function fromSplunkExportLine(text: string): Observation {
  if (text.trim() === '') return IGNORED;
  const parsed = parseJson(text);
  if (!parsed.ok) return { kind: 'unusable', why: 'unreadable', reason: parsed.reason };
  const line = parsed.value;
  if (!isObject(line)) return { kind: 'unusable', why: 'unreadable', reason: 'not a JSON object' };
  // Preview rows are repeated by the final ones; framing lines carry no result.
  if (line.preview === true || !isObject(line.result)) return IGNORED;
  const result = line.result;
  const raw = single(result._raw);
  if (typeof raw !== 'string') return { kind: 'unusable', why: 'unreadable', reason: 'result has no _raw' };
  const event = parseJson(raw);
  const chainFields = {
    journal: single(result.journal),
    seq: single(result.seq),
    eventId: single(result.event_id),
    chain: single(result.chain),
    prev: single(result.chain_prev),
  };
  const isCheckpoint =
    single(result.sourcetype) === CHECKPOINT_SOURCETYPE ||
    (chainFields.chain === undefined &&
      event.ok &&
      isObject(event.value) &&
      event.value.type === CHECKPOINT_TYPE);
  if (isCheckpoint) {
    return event.ok
      ? { kind: 'checkpoint', value: event.value }
      : { kind: 'unusable', why: 'unreadable', reason: `checkpoint _raw is ${event.reason}` };
  }
  if (!event.ok) return { kind: 'unusable', why: 'unreadable', reason: `_raw is ${event.reason}` };
  return eventFromFields(chainFields, [event.value]);
}

function single(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
