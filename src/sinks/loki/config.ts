/**
 * The Loki sink's own configuration keys, defaults, checks and summary line, declared once beside
 * the sink (config/declare.ts says how). config/ reads them through the registry
 * (sinks/config-kinds.ts registers them), so the loader and the codec share one set of rules.
 */
import { choice, bool, list, text, textMap } from '../../config/declare.js';
import { secretSettings } from '../../config/settings.js';
import { defineSinkKind } from '../../config/sink-kinds.js';
import { basicOrBearerAuth } from '../../config/sink-shared.js';
import { describeAuth } from '../../config/summary.js';
import { validateLokiTenant } from './index.js';
import { validateLokiLabels } from './labels.js';

/** Low-cardinality input metadata as stream labels: one stream per namespace and container. */
export const LOKI_METADATA_LABELS = ['namespace', 'container', 'container_name'] as const;
/** Per-instance input metadata: structured metadata, so it is searchable without new streams. */
export const LOKI_METADATA_STRUCTURED = ['pod', 'pod_uid', 'node', 'container_id', 'tag'] as const;

export const lokiConfig = defineSinkKind<'loki'>({
  type: 'loki',
  http: true,
  urlDoc: 'base URL, e.g. `http://loki:3100`; `/loki/api/v1/push` is added',
  own: {
    tenant: text({ doc: '`X-Scope-OrgID` (needed when Loki runs with auth, its default)' }),
    auth: basicOrBearerAuth,
    labels: textMap({
      default: { job: 'wirety' },
      doc: 'static stream labels (a `source` label, server/agent, is always added). Checkpoints (`integrity`) go to a stream of these labels + `wirety_ship_kind="checkpoint"`',
    }),
    label_fields: list({
      default: [],
      doc: "event fields turned into labels; low-cardinality fields only (e.g. `action`, `level`). Values are cut to Loki's 2048 bytes on a character boundary; U+FFFD (and lone surrogates) are sent as `\\uFFFD`. Names are checked against the catalogue ([Event field names](#event-field-names))",
    }),
    structured_metadata: bool({
      default: true,
      doc: 'send structured metadata (`event_id` and `structured_metadata_fields`) with each entry. Set `false` for Loki 2.9, or Loki 3 on a schema before v13, which refuse it (`allow_structured_metadata` off): then only the line, byte-for-byte, and its timestamp are sent, and the event id is not in Loki (see the README, "Known receiver set-ups"); with `integrity` on, the chain values are not in Loki either, so `verify` cannot check this sink (checkpoints still arrive in their stream). Listing `structured_metadata_fields` with `false` is an error',
    }),
    structured_metadata_fields: list({
      default: ['network_id', 'peer_id', 'actor_id'],
      doc: "event fields sent as structured metadata (at most 123); the event id is always sent as `event_id`, and with `integrity` on `seq`, `journal`, `chain`, `chain_prev` ([integrity-sinks.md](integrity-sinks.md); these names are reserved). A value that would take an entry's metadata past 64 000 bytes, or has no faithful text, is left out of that entry and counted (`values_omitted`). Names are checked against the catalogue ([Event field names](#event-field-names))",
    }),
    metadata_labels: list({
      default: [...LOKI_METADATA_LABELS],
      doc: 'input metadata turned into stream labels, when an event has it (Kubernetes `namespace`, `container` from a kubelet log path; Docker `container_name` from the Forward input; [Input metadata](receivers.md#input-metadata)); stdin events have none. Low-cardinality names only: `pod`, `pod_uid` and `container_id` are refused (one stream per instance), use `metadata_structured`. Counts toward the 15 labels per stream',
    }),
    metadata_structured: list({
      default: [...LOKI_METADATA_STRUCTURED],
      doc: 'input metadata sent as structured metadata under its own name, when an event has it (`pod`, `pod_uid`, `node`, Docker `container_id` and `tag`). With `structured_metadata: false` these go nowhere (listing them then is an error)',
    }),
    timestamp: choice(['event', 'received'] as const, {
      default: 'event',
      doc: "entry time: the event's `time`, or when wirety-ship read the line",
    }),
  },
  // Promtail/Alloy's 1 MiB / 1 s; one request in flight keeps each stream's entries in order,
  // which Loki needs (out-of-order entries older than the stream's newest − 1 h are refused).
  // prettier-ignore
  flags: [
    { flag: 'loki', arg: '<url>', env: 'WIRETY_SHIP_LOKI_URL', kind: 'value', sink: 'loki', path: ['url'], description: 'ship to Grafana Loki at this base URL (sink "loki")' },
    { flag: 'loki-tenant', arg: '<id>', env: 'WIRETY_SHIP_LOKI_TENANT', kind: 'value', sink: 'loki', path: ['tenant'], description: 'Loki tenant (X-Scope-OrgID)' },
    { flag: 'loki-username', arg: '<user>', env: 'WIRETY_SHIP_LOKI_USERNAME', kind: 'value', sink: 'loki', path: ['auth', 'username'], description: 'Loki basic-auth user (password: WIRETY_SHIP_LOKI_PASSWORD)' },
    ...secretSettings({ sink: 'loki', flag: 'loki-password', env: 'WIRETY_SHIP_LOKI_PASSWORD', path: ['auth', 'password'], description: 'Loki basic-auth password', fileDescription: 'file holding the Loki basic-auth password' }),
    ...secretSettings({ sink: 'loki', flag: 'loki-bearer-token', env: 'WIRETY_SHIP_LOKI_BEARER_TOKEN', path: ['auth', 'bearer_token'], description: 'Loki bearer token', fileDescription: 'file holding a Loki bearer token (re-read on 401)' }),
    { flag: 'loki-label', arg: '<name=value>', env: 'WIRETY_SHIP_LOKI_LABELS', kind: 'labels', sink: 'loki', path: ['labels'], description: 'static Loki label, repeatable' },
    { flag: 'loki-label-field', arg: '<field>', env: 'WIRETY_SHIP_LOKI_LABEL_FIELDS', kind: 'list', sink: 'loki', path: ['label_fields'], description: 'event field to use as a Loki label, repeatable' },
    { flag: 'loki-structured-metadata-field', arg: '<field>', env: 'WIRETY_SHIP_LOKI_STRUCTURED_METADATA_FIELDS', kind: 'list', sink: 'loki', path: ['structured_metadata_fields'], description: 'event field to send as Loki structured metadata, repeatable (adds to the default list)' },
    { flag: 'loki-structured-metadata', arg: '<true|false>', env: 'WIRETY_SHIP_LOKI_STRUCTURED_METADATA', kind: 'value', sink: 'loki', path: ['structured_metadata'], description: 'false: send no structured metadata (Loki 2.9, or Loki 3 with a schema before v13)' },
  ],
  typeDefaults: { batch: { max_events: 10_000, max_bytes: '1MiB', max_wait: '1s' }, max_in_flight: 1 },
  check(sink, raw, report) {
    const base = ['sinks', sink.name];
    // The Loki sink's own rules, so the loader and the codec can never disagree.
    for (const message of [...validateLokiLabels(sink), ...validateLokiTenant(sink)]) {
      const match = /^sinks\.[a-z0-9_-]+\.([a-z_.]+): (.*)$/s.exec(message);
      if (match) report([...base, ...(match[1] ?? '').split('.')], match[2] ?? message);
      else report([...base, 'labels'], message);
    }
    // Metadata fields that would silently not be sent are a contradiction, not a preference.
    const fields = raw?.structured_metadata_fields;
    if (!sink.structured_metadata && Array.isArray(fields) && fields.length > 0) {
      report(
        [...base, 'structured_metadata_fields'],
        'has no effect with structured_metadata: false (no structured metadata is sent)',
        'remove structured_metadata_fields, or set structured_metadata: true if this Loki accepts it',
      );
    }
    const inputNames = raw?.metadata_structured;
    if (!sink.structured_metadata && Array.isArray(inputNames) && inputNames.length > 0) {
      report(
        [...base, 'metadata_structured'],
        'has no effect with structured_metadata: false (no structured metadata is sent)',
        'remove metadata_structured (move low-cardinality names to metadata_labels), or set structured_metadata: true if this Loki accepts it',
      );
    }
    const orgHeader = Object.keys(sink.headers).find((name) => name.toLowerCase() === 'x-scope-orgid');
    if (orgHeader !== undefined && sink.tenant !== undefined) {
      report([...base, 'headers', orgHeader], 'conflicts with tenant', 'keep tenant only');
    }
  },
  describe(sink) {
    const labels = Object.entries(sink.labels).map(([k, v]) => `${k}=${v}`);
    const metadata = sink.structured_metadata
      ? `event_id${sink.structured_metadata_fields.map((f) => `,${f}`).join('')}; input metadata ${sink.metadata_structured.join(',') || '(none)'}`
      : 'off (structured_metadata: false)';
    return [
      `tenant ${sink.tenant ?? '(none)'}; auth ${describeAuth(sink.auth)}; labels ${labels.join(',') || '(none)'}` +
        `; label fields ${sink.label_fields.join(',') || '(none)'}; input labels ${sink.metadata_labels.join(',') || '(none)'}; metadata ${metadata}; timestamp ${sink.timestamp}`,
    ];
  },
});
