/**
 * The Splunk HTTP Event Collector sink: pure parts for the shared delivery loop.
 *
 * Invariants:
 * - Each audit line is shipped byte-for-byte as the envelope's `event`; `fields` always carries the
 *   stable `event_id` (and the journal `seq`) so an auditor can match Splunk to the journal and
 *   spot the duplicates at-least-once delivery may create.
 * - Data HEC accepted is never sent again, except when an ack times out (at-least-once): a 2xx
 *   counts as delivered; with indexer acknowledgement on, only once the Acknowledger (ack.ts) has
 *   seen `acks[id] == true`, or, when HEC cannot confirm acks at all, on its 200 with a warning
 *   (ack-fallback.ts; `ack.required` blocks instead).
 * - Token, index and channel/ack errors keep the events (blocked); a data error dead-letters only
 *   the event HEC names (refused-events.ts).
 * - Every request carries the sink's X-Splunk-Request-Channel (a token with ack on refuses requests
 *   without one, code 10, even when we do not poll), and the channel's cookies (sticky-transport.ts).
 * - The HEC token never passes through here: a Credentials object with scheme `Splunk` adds the
 *   Authorization header in the transport, which also does gzip.
 * - Request size: the batcher counts each record's line, the envelope overhead and the input
 *   metadata fields it adds (recordOverheadBytes, recordExtraBytes), so batch.max_bytes bounds the
 *   body (1 MiB by default).
 */
import type { SplunkHecSinkConfig } from '../../config/types.js';
import type { SinkCodec } from '../../contract/sink.js';
import type { HecAckMode } from './ack-fallback.js';
import { classifyHecReply } from './classify.js';
import { createHecEncoder, envelopeOverheadBytes } from './encode.js';

export { createHecAcknowledger, newChannelId } from './ack.js';
export type { HecAcknowledgerOptions } from './ack.js';
export { envelopeOverheadBytes } from './encode.js';
export { createStickyTransport } from './sticky-transport.js';
export { probeAckMode, type AckModeFinding } from './ack-probe.js';

/** Bytes assumed per indexed field value when sizing batches (ids and names are short). */
const INDEXED_VALUE_ALLOWANCE = 48;
/** Journal ids are `<12 hex>-<seq>` (≤ 29 bytes); file-source ids stay well under this. */
const MAX_EVENT_ID_BYTES = 64;

export interface SplunkHecCodecOptions {
  /** The X-Splunk-Request-Channel GUID (newChannelId()), shared with the acknowledger. */
  readonly channel: string;
}

export function ackMode(config: SplunkHecSinkConfig): HecAckMode {
  if (!config.ack.enabled) return 'off';
  return config.ack.required ? 'required' : 'on';
}

export function createSplunkHecCodec(config: SplunkHecSinkConfig, options: SplunkHecCodecOptions): SinkCodec {
  const encoder = createHecEncoder(config, options.channel);
  const mode = ackMode(config);
  return {
    kind: 'splunk_hec',
    // The envelope plus room for the indexed field values (ids and names, short by nature), so a
    // batch of batch.max_bytes (1 MiB by default) stays within HEC's request limit.
    recordOverheadBytes:
      envelopeOverheadBytes(config, MAX_EVENT_ID_BYTES) +
      INDEXED_VALUE_ALLOWANCE * config.indexed_fields.length,
    // Input metadata values do not come from the line: counted exactly, and only where present.
    recordExtraBytes: (record) => encoder.metadataBytes(record),
    encode: (records) => encoder.encode(records),
    classify: (reply, records) => classifyHecReply(reply, records.length, mode),
  };
}
