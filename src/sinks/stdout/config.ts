/**
 * The stdout sink's configuration: only the settings every sink has (batch, retry, max_in_flight),
 * with its own defaults (sinks/config-kinds.ts registers it).
 */
import { defineSinkKind } from '../../config/sink-kinds.js';

export const stdoutConfig = defineSinkKind<'stdout'>({
  type: 'stdout',
  http: false,
  own: {},
  flags: [
    {
      flag: 'stdout',
      env: 'WIRETY_SHIP_STDOUT',
      kind: 'switch',
      sink: 'stdout',
      path: [],
      description: 'also write events to stdout as NDJSON (sink "stdout")',
    },
  ],
  typeDefaults: { batch: { max_events: 1000, max_bytes: '1MiB', max_wait: '200ms' }, max_in_flight: 1 },
});
