/**
 * What a journal record keeps of its parsed event: only the fields the configured sinks read.
 *
 * Why: a record lives far longer than its batch (the journal's tail cache keeps thousands for
 * sinks that keep up; the memory log keeps every undelivered one). A whole JSON.parse tree per
 * record (an object and a string per field) then outlives V8's young generation, gets promoted and
 * costs a full mark-compact to free: the biggest share of the shipper's GC time. The line is
 * kept anyway (sinks ship it byte-for-byte), so the tree only has to hold what sinks look up:
 * `time` (every sink), the Loki label and structured-metadata fields, the HEC indexed fields.
 * The union is computed once, when the pipeline is built (pipeline/event-projection.ts).
 *
 * Invariants:
 * - A projection is `JSON.parse(line)` with the other fields left out: a field it keeps has
 *   exactly the parsed value, and a field it leaves out was asked for by no sink.
 * - It remembers how many keys the whole event had (`eventKeyCount`): the Elasticsearch splice
 *   compares that with the line to detect repeated keys.
 * - Whoever needs the whole event (the Elasticsearch careful path, rare) calls `wholeEvent`, which
 *   parses the line again: the same text gives the same tree.
 * - The journal's on-disk format does not change: the record is the line, and reading it back
 *   (decodeFrame) builds the same projection.
 */
import type { AuditEvent, RecordedEvent } from './record.js';

/** Keeps a subset of an event's fields (or all of them: `keepWholeEvent`). */
export type EventProjector = (event: AuditEvent) => RecordedEvent;

/** Where a projection keeps the whole event's key count; a symbol, so Object.keys never lists it. */
const KEY_COUNT = Symbol('wirety-ship.eventKeyCount');

/** The identity: records keep the whole parsed event (tests, tools that read every field). */
export const keepWholeEvent: EventProjector = (event) => event;

/** A projector keeping `time` and `fields` (duplicates and order do not matter). */
export function createEventProjector(fields: Iterable<string>): EventProjector {
  const names = [...new Set(['time', ...fields])];
  return (event) => {
    const out: Record<string | symbol, unknown> = {};
    for (const name of names) {
      if (!Object.hasOwn(event, name)) continue;
      // A key named __proto__ from JSON.parse is an own data property; assigning it would not be.
      if (name === '__proto__') {
        Object.defineProperty(out, name, { value: event[name], enumerable: true, writable: true });
      } else {
        out[name] = event[name];
      }
    }
    out[KEY_COUNT] = Object.keys(event).length;
    return out as unknown as RecordedEvent;
  };
}

/** How many keys the whole parsed event has (a projection remembers it). */
export function eventKeyCount(event: RecordedEvent): number {
  const kept = (event as unknown as Record<symbol, unknown>)[KEY_COUNT];
  return typeof kept === 'number' ? kept : Object.keys(event).length;
}

/** The whole parsed event: the event itself, or the line parsed again when `event` is a projection. */
export function wholeEvent(record: {
  readonly line: string;
  readonly event: RecordedEvent;
}): Readonly<Record<string, unknown>> {
  if (!Object.hasOwn(record.event, KEY_COUNT)) return record.event;
  return JSON.parse(record.line) as Record<string, unknown>;
}
