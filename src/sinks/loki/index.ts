/**
 * The Grafana Loki sink: pure parts only (the shared delivery loop does the I/O and retries).
 *
 * Invariants:
 * - Every record handed to `encode` becomes exactly one entry of the request, its line byte-for-byte
 *   the journaled line, with `event_id` (the stable record id) in its structured metadata unless
 *   structured metadata is off.
 * - Entries of one stream keep the order given; streams are grouped by label set.
 * - An entry's timestamp is a pure function of the journaled record (see encode.ts), so a resent
 *   batch carries the same timestamps and Loki's de-duplication can absorb the copies.
 * - Labels never carry high-cardinality fields: the config is refused at construction otherwise.
 * - `classify` turns every reply into an Outcome; nothing Loki refuses is dropped without a reason:
 *   a partial 400 is bisected down to the refused entries, which (like 260, 422 and other 4xx) are
 *   dead-lettered with Loki's message; a structured-metadata 400 blocks the sink instead.
 * - With `structured_metadata: false` no metadata is sent at all: the event id is then not in Loki
 *   (the line stays byte-for-byte; the timestamp still makes each entry unique and stable).
 * - Not done here: authentication headers (a Credentials object) and gzip (the transport).
 */
import type { LokiSinkConfig } from '../../config/types.js';
import type { SinkCodec } from '../../contract/sink.js';
import { classifyLokiReply } from './classify.js';
import { createPushBodyEncoder } from './encode.js';
import { validateLokiLabels } from './labels.js';

export { classifyLokiReply } from './classify.js';
export { LOKI_PUSH_PATH } from './encode.js';
export { validateLokiLabels } from './labels.js';

const TENANT = /^[0-9a-zA-Z!\-_.*'()]{1,150}$/;

/** Loki's tenant id rules: at most 150 bytes of 0-9 a-z A-Z ! - _ . * ' ( ). Empty = ok. */
export function validateLokiTenant(config: Pick<LokiSinkConfig, 'name' | 'tenant'>): string[] {
  if (config.tenant === undefined || TENANT.test(config.tenant)) return [];
  return [
    `sinks.${config.name}.tenant: Loki tenant ids are 1 to 150 characters of 0-9 a-z A-Z ! - _ . * ' ( )`,
  ];
}

/** Throws on a config the validators refuse (a bug: the config loader checks it first). */
export function createLokiCodec(config: LokiSinkConfig): SinkCodec {
  const errors = [...validateLokiLabels(config), ...validateLokiTenant(config)];
  if (errors.length > 0) throw new Error(`invalid Loki sink config: ${errors.join('; ')}`);
  const encoder = createPushBodyEncoder(config);
  return {
    kind: 'loki',
    encode: (records) => encoder.request(records),
    classify: (reply, records) =>
      classifyLokiReply(reply, { entries: records.length, streams: () => encoder.streams(records) }),
  };
}
