/**
 * An Elasticsearch document (a `_search` hit, or a bare `_source`) → what the shipper journaled.
 *
 * The shipper's document (sinks/elasticsearch/encode.ts) is the event's fields plus `@timestamp`,
 * `wirety_ship: {event_id, seq, source, journal, chain, chain_prev, tag?, timestamp_from?,
 * overwritten?}` and, for events with input metadata, `kubernetes` / `container` objects. An event
 * field that one of those names would have replaced is kept under `wirety_ship.overwritten`.
 * Undoing it: drop `@timestamp` and `wirety_ship`, put the overwritten values back. A `kubernetes` or
 * `container` object not named in `overwritten` may be the shipper's (added from metadata) or the
 * event's own (an event without metadata keeps its fields): both readings are candidates, and the
 * event verifies when one of them does.
 *
 * Key order does not matter (the chain digests the canonical form), so documents whose `_source`
 * Elasticsearch rebuilt (synthetic source, logsdb) still verify; values a mapping rewrote do not.
 * Checkpoints live in their own index as the checkpoint object plus `@timestamp`.
 */
import { CHECKPOINT_TYPE } from '../integrity/checkpoint.js';
import { eventFromFields, IGNORED, isObject, parseJson, type Observation } from './observation.js';

const METADATA_OBJECTS = ['kubernetes', 'container'] as const;

/** One NDJSON line of an export: a hit (`_source` inside) or a bare document. */
export function fromElasticsearchLine(line: string): Observation {
  if (line.trim() === '') return IGNORED;
  const parsed = parseJson(line);
  if (!parsed.ok) return { kind: 'unusable', why: 'unreadable', reason: parsed.reason };
  return fromElasticsearchHit(parsed.value);
}

export function fromElasticsearchHit(hit: unknown): Observation {
  if (!isObject(hit)) return { kind: 'unusable', why: 'unreadable', reason: 'not a JSON object' };
  const source = isObject(hit._source) ? hit._source : hit;
  return fromElasticsearchDocument(source);
}

export function fromElasticsearchDocument(doc: Record<string, unknown>): Observation {
  const ours = doc.wirety_ship;
  if (!isObject(ours)) {
    if (doc.type === CHECKPOINT_TYPE) {
      const { '@timestamp': _timestamp, ...checkpoint } = doc;
      return { kind: 'checkpoint', value: checkpoint };
    }
    return { kind: 'unusable', why: 'unchained', reason: 'carries no wirety_ship object' };
  }
  const { '@timestamp': _timestamp, wirety_ship: _ours, ...rest } = doc;
  const overwritten = isObject(ours.overwritten) ? ours.overwritten : {};
  const ambiguous = METADATA_OBJECTS.filter(
    (key) => Object.hasOwn(rest, key) && !Object.hasOwn(overwritten, key),
  );
  const candidates: Record<string, unknown>[] = [];
  // Every subset of the ambiguous objects kept as the event's own: at most 4 candidates.
  for (let keep = 0; keep < 1 << ambiguous.length; keep++) {
    const event: Record<string, unknown> = { ...rest };
    for (const key of METADATA_OBJECTS) {
      if (Object.hasOwn(overwritten, key) || !(keep & (1 << ambiguous.indexOf(key)))) delete event[key];
    }
    Object.assign(event, overwritten);
    candidates.push(event);
  }
  return eventFromFields(
    {
      journal: ours.journal,
      seq: ours.seq,
      eventId: ours.event_id,
      chain: ours.chain,
      prev: ours.chain_prev,
    },
    candidates,
  );
}
