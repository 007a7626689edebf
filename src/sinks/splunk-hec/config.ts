/**
 * The Splunk HEC sink's own configuration keys, defaults, checks and summary line, declared once
 * beside the sink (config/declare.ts says how; sinks/config-kinds.ts registers them).
 */
import { bool, duration, list, path, section, text } from '../../config/declare.js';
import { REDACTED } from '../../config/redact.js';
import { secretSettings } from '../../config/settings.js';
import { defineSinkKind } from '../../config/sink-kinds.js';
import { formatDuration as d } from '../../config/units.js';
import { METADATA_NAMES, isMetadataName } from '../../contract/metadata.js';

export const splunkHecConfig = defineSinkKind<'splunk_hec'>({
  type: 'splunk_hec',
  http: true,
  urlDoc: 'base URL, e.g. `https://splunk:8088`; `/services/collector/event` is added',
  own: {
    token: text({ secret: true, doc: 'HEC token (secret; or `token_file`, one required)' }),
    token_file: path({ doc: 'file holding the HEC token' }),
    sourcetype: text({ default: 'wirety:audit', doc: 'HEC `sourcetype`' }),
    source: text({ default: 'wirety', doc: 'HEC `source`' }),
    host: text({ defaultText: "this machine's hostname", doc: 'HEC `host`' }),
    index: text({ defaultText: "unset (the token's default index)", doc: 'HEC `index`' }),
    indexed_fields: list({
      default: ['action', 'network_id', 'peer_id', 'actor_id'],
      doc: 'event fields copied into HEC indexed `fields`; a value with no faithful text (too deep to serialise, a number out of range) is left out and counted (`values_omitted`). Names are checked against the catalogue ([Event field names](#event-field-names))',
    }),
    metadata_fields: list({
      default: [...METADATA_NAMES],
      doc: 'input metadata copied into HEC indexed `fields` under its own name, when an event has it (Kubernetes `namespace`, `pod`, `pod_uid`, `container`, `node` from a kubelet log path; Docker `container_name`, `container_id`, `tag` from the Forward input; [Input metadata](receivers.md#input-metadata)); stdin events have none. A name may not also be in `indexed_fields`',
    }),
    // 2 s, not Vector's 10 s: a batch's cursor advances only once its ack is true, so the poll
    // interval adds directly to delivery latency and, with 2 batches in flight, caps throughput at
    // 2 batches per interval. One small POST every 2 s per sink is negligible load for the indexer.
    // The 5 min timeout equals Vector's 30 polls × 10 s before a batch is resent.
    // required: false, as Vector: a token without ack still delivers (counted on HEC's 200, warned).
    ack: section({
      enabled: bool({
        default: false,
        doc: 'indexer acknowledgement: delivered only once Splunk confirms indexing (the token must have it on)',
      }),
      poll_interval: duration({ min: 1, default: '2s', doc: 'how often to ask about outstanding acks' }),
      timeout: duration({
        min: 1,
        default: '5m',
        doc: 'no confirmation by then: the batch is sent again (at-least-once)',
      }),
      required: bool({
        default: false,
        doc: "when HEC cannot confirm acks (the token has indexer acknowledgement off, or `/services/collector/ack` is refused: code 14, 10/11, a proxy's 404/405), block the sink (loud error, `/readyz` fails, events kept and re-sent at the maximum backoff) instead of counting the batch delivered on HEC's 200 with a warning. Needs `ack.enabled`",
      }),
    }),
  },
  // 1 MiB: the request cap of older Splunk versions, and the safe size for HEC behind proxies.
  // prettier-ignore
  flags: [
    { flag: 'splunk-hec', arg: '<url>', env: 'WIRETY_SHIP_SPLUNK_URL', kind: 'value', sink: 'splunk', path: ['url'], description: 'ship to Splunk HEC at this base URL (sink "splunk"; token: WIRETY_SHIP_SPLUNK_TOKEN)' },
    ...secretSettings({ sink: 'splunk', flag: 'splunk-token', env: 'WIRETY_SHIP_SPLUNK_TOKEN', path: ['token'], description: 'Splunk HEC token', fileDescription: 'file holding the Splunk HEC token' }),
    { flag: 'splunk-ack', env: 'WIRETY_SHIP_SPLUNK_ACK', kind: 'switch', sink: 'splunk', path: ['ack', 'enabled'], description: 'count events delivered only once Splunk confirms indexing' },
    { flag: 'splunk-index', arg: '<index>', env: 'WIRETY_SHIP_SPLUNK_INDEX', kind: 'value', sink: 'splunk', path: ['index'], description: 'Splunk index' },
  ],
  typeDefaults: { batch: { max_events: 5000, max_bytes: '1MiB', max_wait: '1s' }, max_in_flight: 2 },
  fallbacks: ({ hostname }) => ({ host: hostname }),
  check(sink, _raw, report) {
    const base = ['sinks', sink.name];
    if (sink.token === undefined && sink.token_file === undefined) {
      report(
        [...base, 'token'],
        'is required (or token_file)',
        sink.name === 'splunk' ? 'set WIRETY_SHIP_SPLUNK_TOKEN or --splunk-token-file <file>' : undefined,
      );
    }
    if (sink.token !== undefined && sink.token_file !== undefined) {
      report([...base, 'token_file'], 'cannot be used together with token', 'keep one of them');
    }
    sink.metadata_fields.forEach((name, i) => {
      if (!isMetadataName(name)) {
        report(
          [...base, 'metadata_fields', i],
          `"${name}" is not an input metadata name`,
          `known: ${METADATA_NAMES.join(', ')}`,
        );
      } else if (sink.indexed_fields.includes(name)) {
        report(
          [...base, 'metadata_fields', i],
          `"${name}" is also in indexed_fields (an event field of that name)`,
          'keep it in one of the two lists',
        );
      }
    });
    if (sink.ack.enabled && sink.ack.poll_interval_ms >= sink.ack.timeout_ms) {
      report([...base, 'ack', 'poll_interval'], 'must be shorter than ack.timeout');
    }
    if (sink.ack.required && !sink.ack.enabled) {
      report(
        [...base, 'ack', 'required'],
        'needs ack.enabled: true',
        'set ack.enabled: true (or --splunk-ack)',
      );
    }
  },
  describe(sink) {
    const token = sink.token_file ? `from ${sink.token_file}` : REDACTED;
    const ack = sink.ack.enabled
      ? `on${sink.ack.required ? ', required' : ''} (poll every ${d(sink.ack.poll_interval_ms)}, resend after ${d(sink.ack.timeout_ms)})`
      : 'off';
    return [
      `token ${token}; sourcetype ${sink.sourcetype}; source ${sink.source}; host ${sink.host}; index ${sink.index ?? '(token default)'}; indexed fields ${sink.indexed_fields.join(',') || '(none)'}; metadata fields ${sink.metadata_fields.join(',') || '(none)'}; ack ${ack}`,
    ];
  },
});
