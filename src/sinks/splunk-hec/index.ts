/**
 * The Splunk HTTP Event Collector sink: pure parts for the shared delivery loop.
 *
 * Invariants:
 * - Each audit line is shipped byte-for-byte as the envelope's `event`; `fields` always carries the
 *   stable `event_id` (and the journal `seq`) so an auditor can match Splunk to the journal and
 *   spot the duplicates at-least-once delivery may create.
 * - A reply counts as delivered only on HTTP 2xx with HEC `code: 0`; with indexer acknowledgement
 *   on, only once the Acknowledger (ack.ts) has seen `acks[id] == true` for its ackId. Anything
 *   unrecognised is retried, never assumed successful.
 * - Token and channel/ack errors keep the events (blocked); only data errors dead-letter them.
 * - The HEC token never passes through here: a Credentials object with scheme `Splunk` adds the
 *   Authorization header in the transport, which also does gzip.
 * - With acknowledgement on, the codec and the Acknowledger share one channel per process
 *   (newChannelId()), because ackIds are only meaningful within their channel.
 * - Request size: the batch's max_bytes counts line bytes only; shrink it by
 *   max_events × envelopeOverheadBytes(config) to keep a request under the cap (1 MiB by default).
 */
import type { SplunkHecSinkConfig } from '../../config/types.js';
import type { SinkCodec } from '../sink.js';
import { classifyHecReply } from './classify.js';
import { createHecEncoder, envelopeOverheadBytes } from './encode.js';

export { createHecAcknowledger, newChannelId } from './ack.js';
export type { HecAcknowledgerOptions } from './ack.js';
export { envelopeOverheadBytes } from './encode.js';

/** Bytes assumed per indexed field value when sizing batches (ids and names are short). */
const INDEXED_VALUE_ALLOWANCE = 48;
/** Journal ids are `<12 hex>-<seq>` (≤ 29 bytes); file-source ids stay well under this. */
const MAX_EVENT_ID_BYTES = 64;

export interface SplunkHecCodecOptions {
  /** The X-Splunk-Request-Channel GUID; required when `config.ack.enabled`. */
  readonly channel?: string;
}

export function createSplunkHecCodec(
  config: SplunkHecSinkConfig,
  options: SplunkHecCodecOptions = {},
): SinkCodec {
  if (config.ack.enabled && !options.channel) {
    throw new Error(
      `sink ${config.name}: indexer acknowledgement needs the channel shared with the acknowledger`,
    );
  }
  const encoder = createHecEncoder(config, options.channel);
  const ackEnabled = config.ack.enabled;
  return {
    kind: 'splunk_hec',
    // The envelope plus room for the indexed field values (ids and names, short by nature), so a
    // batch of batch.max_bytes (1 MiB by default) stays within HEC's request limit.
    recordOverheadBytes:
      envelopeOverheadBytes(config, MAX_EVENT_ID_BYTES) +
      INDEXED_VALUE_ALLOWANCE * config.indexed_fields.length,
    encode: (records) => encoder.encode(records),
    classify: (reply) => classifyHecReply(reply, ackEnabled),
  };
}
