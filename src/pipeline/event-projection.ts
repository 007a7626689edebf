/**
 * The fields of a parsed event the configured sinks read, as one projector for the journal
 * (audit/projection.ts): `time` for every sink, plus Loki's label_fields and
 * structured_metadata_fields, and Splunk HEC's indexed_fields. Elasticsearch ships the line as
 * it is (its careful path parses the line again) and stdout prints the line.
 *
 * Invariant: a sink that reads an event field must name it here; a sink kind this file does not
 * know keeps the whole event, so forgetting one costs memory, never a field.
 */
import { createEventProjector, keepWholeEvent, type EventProjector } from '../audit/projection.js';
import type { SinkConfig } from '../config/types.js';

export function eventProjectorFor(sinks: readonly SinkConfig[]): EventProjector {
  const fields: string[] = [];
  for (const sink of sinks) {
    switch (sink.type) {
      case 'loki':
        fields.push(...sink.label_fields);
        if (sink.structured_metadata) fields.push(...sink.structured_metadata_fields);
        break;
      case 'splunk_hec':
        fields.push(...sink.indexed_fields);
        break;
      case 'elasticsearch':
      case 'stdout':
        break;
      default:
        return keepWholeEvent;
    }
  }
  return createEventProjector(fields);
}
