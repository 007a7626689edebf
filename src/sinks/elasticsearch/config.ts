/**
 * The Elasticsearch sink's own configuration keys, defaults, checks and summary line, declared
 * once beside the sink (config/declare.ts says how; sinks/config-kinds.ts registers them).
 */
import { bool, choice, text } from '../../config/declare.js';
import { secretSettings } from '../../config/settings.js';
import { defineSinkKind } from '../../config/sink-kinds.js';
import { anyAuth } from '../../config/sink-shared.js';
import { describeAuth } from '../../config/summary.js';
import { checkIndexPattern } from './index-name.js';

export const elasticsearchConfig = defineSinkKind<'elasticsearch'>({
  type: 'elasticsearch',
  http: true,
  urlDoc: 'base URL, e.g. `https://es:9200`; `/_bulk` is added',
  own: {
    index: text({
      default: 'wirety-audit-%Y.%m.%d',
      doc: "index name; `%Y %m %d %H` from the event's time in UTC",
    }),
    data_stream: text({
      doc: 'write to this data stream instead (e.g. `logs-wirety.audit-default`)',
    }),
    op: choice(['create', 'index'] as const, {
      default: 'create',
      doc: '`create` with the event id as `_id`: a resend into the same index is a 409, never a duplicate (a data-stream or ILM rollover in between stores it again: README, "Data streams and rollover")',
    }),
    pipeline: text({ doc: 'ingest pipeline (not run on checkpoints)' }),
    checkpoint_index: text({
      default: 'wirety-ship-checkpoints',
      doc: "index of the integrity checkpoints (with `integrity` on: [integrity-sinks.md](integrity-sinks.md)), apart from the audit events so they are never counted as events; op `create`, `_id` the checkpoint's id; `%Y %m %d %H` from when the checkpoint was made, UTC",
    }),
    auth: anyAuth,
    startup_check: bool({
      default: true,
      doc: '`GET /` at startup: log the cluster version, warn when the credentials are refused (401) or lack the `monitor` cluster privilege this check needs (403), never block',
    }),
  },
  // prettier-ignore
  flags: [
    { flag: 'elasticsearch', arg: '<url>', env: 'WIRETY_SHIP_ES_URL', kind: 'value', sink: 'elasticsearch', path: ['url'], description: 'ship to Elasticsearch/OpenSearch at this base URL (sink "elasticsearch")' },
    { flag: 'es-index', arg: '<pattern>', env: 'WIRETY_SHIP_ES_INDEX', kind: 'value', sink: 'elasticsearch', path: ['index'], description: 'index name pattern (%Y %m %d %H from the event time, UTC)' },
    { flag: 'es-data-stream', arg: '<name>', env: 'WIRETY_SHIP_ES_DATA_STREAM', kind: 'value', sink: 'elasticsearch', path: ['data_stream'], description: 'write to this data stream instead of an index' },
    { flag: 'es-username', arg: '<user>', env: 'WIRETY_SHIP_ES_USERNAME', kind: 'value', sink: 'elasticsearch', path: ['auth', 'username'], description: 'Elasticsearch basic-auth user (password: WIRETY_SHIP_ES_PASSWORD)' },
    ...secretSettings({ sink: 'elasticsearch', flag: 'es-password', env: 'WIRETY_SHIP_ES_PASSWORD', path: ['auth', 'password'], description: 'Elasticsearch basic-auth password', fileDescription: 'file holding the Elasticsearch password' }),
    ...secretSettings({ sink: 'elasticsearch', flag: 'es-api-key', env: 'WIRETY_SHIP_ES_API_KEY', path: ['auth', 'api_key'], description: 'Elasticsearch API key (base64 id:key)', fileDescription: 'file holding an Elasticsearch API key' }),
  ],
  typeDefaults: { batch: { max_events: 5000, max_bytes: '5MiB', max_wait: '1s' }, max_in_flight: 2 },
  check(sink, raw, report) {
    const base = ['sinks', sink.name];
    if (sink.data_stream !== undefined) {
      if (sink.op === 'index')
        report([...base, 'op'], 'must be create with a data_stream (data streams only accept create)');
      if (raw?.index !== undefined)
        report([...base, 'index'], 'cannot be used together with data_stream', 'keep one of them');
      const bad =
        checkIndexPattern(sink.data_stream) ??
        (sink.data_stream.includes('%') ? 'a data stream name has no date parts' : undefined);
      if (bad) report([...base, 'data_stream'], bad.replace(/^index name/, 'data stream name'));
    } else {
      const bad = checkIndexPattern(sink.index);
      if (bad) report([...base, 'index'], bad);
    }
    const badCheckpointIndex =
      sink.checkpoint_index === undefined ? undefined : checkIndexPattern(sink.checkpoint_index);
    if (badCheckpointIndex) report([...base, 'checkpoint_index'], badCheckpointIndex);
  },
  describe(sink) {
    const target = sink.data_stream ? `data stream ${sink.data_stream}` : `index ${sink.index}`;
    return [
      `${target}; op ${sink.op}${sink.pipeline ? `; pipeline ${sink.pipeline}` : ''}; auth ${describeAuth(sink.auth)}; startup check ${sink.startup_check ? 'on' : 'off'}`,
    ];
  },
});
