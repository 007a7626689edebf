/**
 * The configuration file, declared once (declare.ts says how): every key with its type and unit,
 * default and one-line doc. This object is the JSON Schema ajv checks the file with (after ${VAR}
 * substitution, with env and flags folded in), `RawConfig` is inferred from it, defaults.ts and
 * normalize.ts read their defaults from it, docs/config.md's key tables are generated from it, and
 * the flags and WIRETY_SHIP_* variables of its keys (`cli`) join the flag table (settings.ts).
 *
 * Invariants: `additionalProperties: false` on every block, so any unknown key is reported (with a
 * suggestion drawn from `properties`); a sink's block is checked against the schema of its `type`
 * (ajv discriminator; each type's block comes from its src/sinks/<kind>/config.ts through
 * sink-kinds.ts), so keys of another sink type are unknown keys too. Durations and sizes are only
 * type-checked here (`title` marks them for messages); units.ts parses them.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_MAX_DEPTH } from '../audit/nesting.js';
import { block, bool, choice, duration, integer, path, section, size, text } from './declare.js';
import { inputBlockSchemas } from './input-kinds.js';
import { integrity, integrityKeySetting } from './integrity.js';
import { addDeclaredSettings, declaredSettings } from './settings.js';
import { sinkBlockSchemas } from './sink-kinds.js';
import { httpCommon, sinkDefaults, type RawSink } from './sink-shared.js';
import { formatDuration as d, formatSize as b } from './units.js';

export type { RawSink } from './sink-shared.js';

export const input = section(
  {
    type: choice(['stdin'] as const, {
      default: 'stdin',
      doc: 'kept for compatibility: the one input when `inputs:` is not set (name the inputs under `inputs:`)',
    }),
    max_line_bytes: size({
      min: 1,
      default: '256KiB',
      cli: {
        flag: 'max-line-bytes',
        env: 'WIRETY_SHIP_MAX_LINE_BYTES',
        help: 'longer lines are dead-lettered',
        showDefault: true,
        order: 50,
      },
      doc: 'longer lines are dead-lettered (a prefix and the real length), never held whole in memory',
    }),
    // Up to 1000: deeper values come close to overflowing the stack of the sinks' encoders.
    max_depth: integer({
      min: 1,
      max: 1000,
      default: DEFAULT_MAX_DEPTH,
      doc: "audit lines nesting objects/arrays deeper than this (the event object is level 1) are dead-lettered as `too_deep`. Wirety's events are flat; a deeper value is corruption or an attack, and no sink could encode it (JSON serialisers overflow the stack at a few thousand levels)",
    }),
    passthrough: bool({
      default: false,
      cli: {
        flag: 'passthrough',
        env: 'WIRETY_SHIP_PASSTHROUGH',
        help: 'copy every input line unchanged to stdout',
        order: 40,
      },
      doc: 'copy every input line unchanged to stdout (for `wirety-server \\| wirety-ship --passthrough \\| other-tool`); no stdout sink then. With passthrough on and no sink configured, nothing is shipped: lines are validated and counted only',
    }),
  },
  {
    doc: 'where audit lines come from, and the limits every input applies',
    summary: {
      label: 'input',
      line: (input, { inputs }) =>
        `${inputs.map((i) => (i.name === i.type ? i.type : `${i.name} (${i.type})`)).join(', ')}; lines over ${b(input.max_line_bytes)} or nested over ${input.max_depth} levels are dead-lettered; passthrough ${input.passthrough ? 'on (every line copied to stdout)' : 'off'}`,
    },
  },
);

export const audit = section(
  {
    unknown_actions: choice(['forward', 'dead_letter'] as const, {
      default: 'forward',
      cli: {
        flag: 'unknown-actions',
        env: 'WIRETY_SHIP_UNKNOWN_ACTIONS',
        help: 'events with an action not in the catalogue',
        order: 60,
      },
      doc: 'an event whose action is not in the catalogue is shipped (default) or dead-lettered; counted and warned once either way',
    }),
    not_json: choice(['dead_letter', 'count'] as const, {
      default: 'dead_letter',
      doc: 'input lines that are not JSON at all: dead-lettered, or only counted',
    }),
  },
  {
    summary: {
      label: 'audit',
      line: (audit) =>
        `unknown actions: ${audit.unknown_actions}; lines that are not JSON: ${audit.not_json}`,
    },
  },
);

export const deadLetter = section(
  {
    path: path({
      doc: 'rejected lines, one JSON object each with the reason',
      cli: {
        flag: 'dead-letter',
        arg: '<path>',
        env: 'WIRETY_SHIP_DEAD_LETTER',
        help: 'dead-letter file (default: dead-letter.ndjson in the state directory)',
        order: 70,
      },
      defaultText: '`dead-letter.ndjson` in the state directory',
      filled: true,
    }),
    max_bytes: size({ min: 1, default: '100MiB', doc: 'rotated to `<path>.1`, `<path>.2`… when larger' }),
    max_files: integer({
      min: 0,
      default: 0,
      doc: 'rotated files kept; `0` keeps every one (nothing is ever deleted); a limit deletes the oldest and logs a warning',
    }),
  },
  {
    summary: {
      label: 'dead letter',
      line: (file) =>
        `${file.path} (rotated at ${b(file.max_bytes)}, ${file.max_files === 0 ? 'all' : file.max_files} rotated files kept)`,
    },
  },
);

export const buffer = section(
  {
    type: choice(['disk', 'memory'] as const, {
      default: 'disk',
      cli: {
        flag: 'buffer',
        env: 'WIRETY_SHIP_BUFFER',
        help: 'journal on disk (default; survives crashes) or in memory',
        order: 80,
      },
      defaultText: '`disk`; `memory` when no receiver is configured (stdout or passthrough only)',
      doc: "the journal; `memory` loses undelivered events on a crash. stdout is per run (a later run never prints an earlier run's events), so without a receiver a journal would keep nothing a later run uses; set `disk` to journal anyway",
    }),
    data_dir: path({
      doc: 'journal segments and one cursor file per sink; one wirety-ship per directory (an exclusive lock: a second one exits 74)',
      defaultText: '`journal` in the state directory',
      filled: true,
      cli: {
        flag: 'data-dir',
        arg: '<dir>',
        env: 'WIRETY_SHIP_DATA_DIR',
        help: 'journal directory, one wirety-ship each (default: journal/ in the state directory)',
        order: 90,
      },
    }),
    fsync: choice(['always', 'interval', 'never'] as const, {
      default: 'interval',
      doc: 'when journal writes are flushed to disk',
      cli: {
        flag: 'fsync',
        env: 'WIRETY_SHIP_FSYNC',
        help: 'when the journal is flushed to disk',
        showDefault: true,
        order: 100,
      },
    }),
    fsync_interval: duration({ min: 1, default: '1s', doc: 'with `fsync: interval`' }),
    max_bytes: size({
      min: 1,
      default: '1GiB',
      defaultText: '`1GiB` (disk), `16MiB` (memory)',
      doc: 'journal size cap (absorbs receiver outages); in memory mode the in-RAM buffer cap',
    }),
    segment_bytes: size({ min: 1, default: '64MiB', doc: 'journal segment size' }),
    when_full: choice(['block', 'drop_newest'] as const, {
      default: 'block',
      doc: '`block` stops reading input (back-pressure); `drop_newest` drops and counts (`dropped_full`)',
    }),
    new_sink_start: choice(['head', 'oldest'] as const, {
      default: 'head',
      doc: 'where a sink the journal has never seen starts: new events only, or everything still in the journal',
    }),
  },
  {
    summary: {
      label: 'buffer',
      line: (buffer) =>
        buffer.type === 'disk'
          ? `disk journal in ${buffer.data_dir}; fsync ${buffer.fsync === 'interval' ? `every ${d(buffer.fsync_interval_ms)}` : buffer.fsync}; at most ${b(buffer.max_bytes)} in ${b(buffer.segment_bytes)} segments; when full: ${buffer.when_full}; new sinks start at ${buffer.new_sink_start}`
          : `memory (events not yet delivered are LOST on a crash); at most ${b(buffer.max_bytes)}; when full: ${buffer.when_full}`,
      warning: (buffer) =>
        buffer.type === 'memory'
          ? 'WARNING: buffer.type is memory: events not yet delivered are lost if wirety-ship crashes.'
          : undefined,
    },
  },
);

export const shutdownTimeout = duration({
  // Below Kubernetes' default 30 s termination grace period, so we exit before SIGKILL.
  default: '20s',
  cli: {
    flag: 'shutdown-timeout',
    env: 'WIRETY_SHIP_SHUTDOWN_TIMEOUT',
    help: 'time to flush on SIGTERM',
    showDefault: true,
    order: 110,
  },
  summary: { label: 'shutdown', line: (ms) => `on SIGTERM/SIGINT, flush for up to ${d(ms)}` },
  doc: "on SIGTERM/SIGINT/SIGHUP, time to flush before exiting (below Kubernetes' 30 s grace period); at end of input, how long no sink may make progress. A hard deadline for every sink, a stdout nobody reads too; what is left stays in the journal (dead-lettered for stdout and `buffer.type: memory`)",
});

export const log = section(
  {
    level: choice(['debug', 'info', 'warn', 'error'] as const, {
      default: 'info',
      doc: 'operational log on stderr',
      cli: {
        flag: 'log-level',
        arg: '<level>',
        env: 'WIRETY_SHIP_LOG_LEVEL',
        help: 'debug, info, warn or error',
        showDefault: true,
        order: 130,
      },
    }),
    format: choice(['auto', 'json', 'text'] as const, {
      default: 'auto',
      doc: '`auto`: JSON when stderr is not a terminal',
      cli: {
        flag: 'log-format',
        env: 'WIRETY_SHIP_LOG_FORMAT',
        help: 'operational log format on stderr',
        showDefault: true,
        order: 140,
      },
    }),
    progress_interval: duration({
      default: '10s',
      doc: 'how often to check for progress: a progress line on stderr when a number changed since the last one (never while idle); `0` = only the final summary',
    }),
  },
  {
    summary: {
      label: 'log',
      line: (log) =>
        `level ${log.level}; format ${log.format}; progress ${log.progress_interval_ms > 0 ? `every ${d(log.progress_interval_ms)}` : 'only at exit'}`,
    },
  },
);

export const metrics = section(
  {
    address: text({
      typeText: '`host:port`',
      defaultText: 'unset (off)',
      cli: {
        flag: 'metrics-addr',
        arg: '<host:port>',
        env: 'WIRETY_SHIP_METRICS_ADDR',
        help: 'serve /metrics, /healthz, /readyz here',
        order: 120,
      },
      doc: 'serve `/metrics`, `/healthz`, `/readyz`, e.g. `127.0.0.1:9431`; every metric and alert rules in [metrics.md](metrics.md)',
    }),
    auth_failure_unready: duration({
      min: 1,
      default: '5m',
      doc: '`/readyz` fails once a sink has been refused (401/403) this long',
    }),
  },
  {
    summary: {
      label: 'metrics',
      line: (metrics) =>
        metrics.address
          ? `${metrics.address} (/metrics, /healthz, /readyz; unready after ${d(metrics.auth_failure_unready_ms)} of auth failures)`
          : 'off',
    },
  },
);

/** Names key the journal's cursor files (and inputs' state), so they must be safe file names. */
export const NAME_PATTERN = '^[a-z0-9_-]+$';

/** A map from name to a block whose `type` picks its schema among the registered kinds'. */
const namedMap = <T>(kinds: unknown[], doc: string) =>
  Type.Optional(
    Type.Unsafe<Record<string, T>>({
      type: 'object',
      description: doc,
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        properties: { type: { type: 'string' } },
        discriminator: { propertyName: 'type' },
        // Filled by kind-registry.ts as the sinks and inputs register their blocks.
        oneOf: kinds,
      },
    }),
  );

const sinks = namedMap<RawSink>(sinkBlockSchemas, 'where events are delivered, by name');
const inputs = namedMap<{ readonly type: string } & Readonly<Record<string, unknown>>>(
  inputBlockSchemas,
  'where audit lines are read from, by name; none = one stdin input',
);

export const fileSchema = block({
  inputs,
  input,
  audit,
  dead_letter: deadLetter,
  buffer,
  shutdown_timeout: shutdownTimeout,
  log,
  metrics,
  integrity,
  defaults: sinkDefaults,
  sinks,
});

// The flags and variables declared on the keys above (and on the HTTP sinks' shared keys, which
// set every HTTP sink) join the flag table (settings.ts).
addDeclaredSettings([
  ...declaredSettings(fileSchema, { skip: ['defaults'] }),
  ...declaredSettings(block(httpCommon), { allHttp: true }),
  integrityKeySetting,
]);

/** A tree that passed fileSchema (sizes and durations still as written). */
export type RawConfig = Static<typeof fileSchema>;
