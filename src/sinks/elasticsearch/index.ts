/**
 * The Elasticsearch / OpenSearch sink (`POST /_bulk`): pure parts only; the shared delivery loop
 * does the I/O, waiting and retrying.
 *
 * Invariants:
 * - Idempotent within one index: every record is sent with its stable event id as `_id` (hashed
 *   when longer than the 512 bytes OpenSearch allows) and op `create` by default, so a resend after
 *   a retry, a split or a restart into the same index comes back 409 and counts as delivered. `_id`
 *   is unique per (backing) index only: a resend that lands after a data-stream or ILM rollover is
 *   stored again (README "Data streams and rollover": de-duplicate on wirety_ship.event_id).
 * - Data streams always get op `create` and `@timestamp`, whatever `op` says.
 * - `@timestamp` and the index name come from the event's `time` (Unix seconds), in UTC: never the
 *   shipper's clock or time zone, never 1970.
 * - Every document keeps every field and value of the original event.
 * - A bulk reply is judged item by item (classify.ts, bulk-items.ts): failed items are retried,
 *   kept (set-up faults: config-faults.ts) or dead-lettered on their own, a 200 with failed items is
 *   never a success, and nothing is dropped on doubt.
 * - Not done here: authentication headers (Credentials), gzip and timeouts (the transport).
 */
import type { ElasticsearchSinkConfig } from '../../config/types.js';
import type { SinkCodec } from '../../contract/sink.js';
import { classifyBulkReply } from './classify.js';
import { createBulkEncoder } from './encode.js';
import { checkIndexPattern } from './index-name.js';

export { classifyBulkReply } from './classify.js';
export { createBulkEncoder, documentId, FILTER_PATH, MAX_ID_BYTES } from './encode.js';
export { checkIndexPattern, createIndexNamer } from './index-name.js';
export { checkCluster } from './startup-check.js';

/** Data stream names follow index name rules, are used verbatim (no %-directives) and cannot start with ".ds-". */
export function checkDataStreamName(name: string): string | undefined {
  if (name.startsWith('.ds-')) return `data stream name "${name}" must not start with ".ds-"`;
  if (name.startsWith('.')) return `data stream name "${name}" must not start with "."`;
  return checkIndexPattern(name.replaceAll('%', '%%'))?.replaceAll('index name', 'data stream name');
}

/** Config-time checks; each message names the offending key. */
export function validateElasticsearchSink(
  config: Pick<ElasticsearchSinkConfig, 'name' | 'index' | 'data_stream' | 'pipeline' | 'checkpoint_index'>,
): string[] {
  const errors: string[] = [];
  const prefix = `sinks.${config.name}`;
  if (config.data_stream !== undefined) {
    const problem = checkDataStreamName(config.data_stream);
    if (problem) errors.push(`${prefix}.data_stream: ${problem}`);
  } else {
    const problem = checkIndexPattern(config.index);
    if (problem) errors.push(`${prefix}.index: ${problem}`);
  }
  const checkpointProblem =
    config.checkpoint_index === undefined ? undefined : checkIndexPattern(config.checkpoint_index);
  if (checkpointProblem) errors.push(`${prefix}.checkpoint_index: ${checkpointProblem}`);
  if (config.pipeline === '') errors.push(`${prefix}.pipeline: must not be empty (leave it out for none)`);
  return errors;
}

/** Throws on a config the validators refuse (a bug: the config loader checks it first). */
export function createElasticsearchCodec(config: ElasticsearchSinkConfig): SinkCodec {
  const errors = validateElasticsearchSink(config);
  if (errors.length > 0) throw new Error(`invalid Elasticsearch sink config: ${errors.join('; ')}`);
  const encoder = createBulkEncoder({
    index: config.index,
    op: config.op,
    ...(config.data_stream !== undefined ? { dataStream: config.data_stream } : {}),
    ...(config.pipeline !== undefined ? { pipeline: config.pipeline } : {}),
    ...(config.checkpoint_index !== undefined ? { checkpointIndex: config.checkpoint_index } : {}),
  });
  return {
    kind: 'elasticsearch',
    encode: (records) => encoder.encode(records),
    classify: (reply, records) => classifyBulkReply(reply, records, encoder.indexOf),
  };
}
