/**
 * The one table of command-line flags and WIRETY_SHIP_* environment variables: flags.ts builds
 * the parser and the help from it, overlay.ts applies it, docs/config.md is generated from it.
 *
 * Secrets (passwords, tokens, API keys) have an environment variable and a *_file flag but never a
 * flag of their own: command lines are visible to every user of the machine (ps, /proc).
 */
import type { SinkConfig } from './types.js';

export type SinkTarget = 'loki' | 'elasticsearch' | 'splunk' | 'stdout';
/** A flag input is named after its type: `--file` makes the input "file", `--forward` "forward". */
export type InputTarget = 'file' | 'forward';
/** The settings that create their input on their own (the others complete one). */
export const INPUT_CREATORS: Readonly<Record<InputTarget, string>> = { file: 'include', forward: 'address' };

/** A flag sink creates or completes the sink with this name; a file sink of another name is untouched. */
export const SINK_TARGETS: Readonly<
  Record<SinkTarget, { readonly type: SinkConfig['type']; readonly urlFlag?: string }>
> = {
  loki: { type: 'loki', urlFlag: '--loki <url> or WIRETY_SHIP_LOKI_URL' },
  elasticsearch: { type: 'elasticsearch', urlFlag: '--elasticsearch <url> or WIRETY_SHIP_ES_URL' },
  splunk: { type: 'splunk_hec', urlFlag: '--splunk-hec <url> or WIRETY_SHIP_SPLUNK_URL' },
  stdout: { type: 'stdout' },
};

export interface Setting {
  /** Long flag without dashes; absent for environment-only secrets. */
  readonly flag?: string;
  readonly short?: string;
  /** Placeholder of the value, e.g. "<url>"; absent for a switch. */
  readonly arg?: string;
  readonly env?: string;
  readonly description: string;
  /** value: one string; switch: on/off; list: repeatable, added to the file's list; labels: name=value. */
  readonly kind: 'value' | 'switch' | 'list' | 'labels';
  /** Key path inside the sink (when `sink` is set) or from the root; absent for control settings. */
  readonly path?: readonly string[];
  readonly sink?: SinkTarget;
  /** Applied to every HTTP sink (loki, elasticsearch, splunk_hec). */
  readonly allHttp?: boolean;
  /**
   * Key path inside the input of this name (and type) under `inputs:`, which the setting creates
   * or completes, as a sink flag does its sink ("file", "forward").
   */
  readonly input?: InputTarget;
  /** Applied to every input of this type (a Forward shared key); none configured: ignored with a warning. */
  readonly allInputs?: InputTarget;
  /** Environment only; `refused` is the flag people try, `file` the flag to use instead. */
  readonly secret?: { readonly refused: string; readonly file: string };
}

const s = (setting: Setting): Setting => setting;

/**
 * A secret's two ways in: its environment variable (never a flag, which `refused` names so the
 * parser can point the way) and a `*_file` flag and variable beside it.
 */
export function secretSettings(secret: {
  readonly sink: SinkTarget;
  /** The flag people try, e.g. "loki-password"; the file flag adds "-file". */
  readonly flag: string;
  readonly env: string;
  readonly path: readonly string[];
  readonly description: string;
  readonly fileDescription: string;
}): Setting[] {
  const { sink, flag, env, path, description, fileDescription } = secret;
  const file = `${path[path.length - 1] ?? ''}_file`;
  return [
    { env, kind: 'value', sink, path, secret: { refused: flag, file: `${flag}-file` }, description },
    {
      flag: `${flag}-file`,
      arg: '<file>',
      env: `${env}_FILE`,
      kind: 'value',
      sink,
      path: [...path.slice(0, -1), file],
      description: fileDescription,
    },
  ];
}

// One row per setting, kept on one line each so the table reads as a table. Each sink's rows are
// declared beside the sink (src/sinks/<kind>/config.ts) and inserted by sink-kinds.ts, between
// these control rows and the shared rows below, in the order of the help.
// prettier-ignore
const CONTROL: readonly Setting[] = [
  s({ flag: 'config', short: 'c', arg: '<file>', env: 'WIRETY_SHIP_CONFIG', kind: 'value', description: 'YAML config file' }),
  s({ flag: 'check-config', kind: 'switch', description: 'validate the configuration, print a summary (secrets redacted) and exit' }),
  s({ flag: 'online', kind: 'switch', description: 'with --check-config: also ask each sink\'s receiver, with requests that store nothing, whether a run would work (exit 69 if not)' }),
];

// prettier-ignore
const SHARED: readonly Setting[] = [
  s({ flag: 'gzip', env: 'WIRETY_SHIP_GZIP', kind: 'switch', allHttp: true, path: ['gzip'], description: 'gzip request bodies (all HTTP sinks)' }),
  s({ flag: 'insecure-skip-verify', kind: 'switch', allHttp: true, path: ['tls', 'insecure_skip_verify'], description: 'DANGEROUS: do not verify TLS certificates (all HTTP sinks)' }),
  s({ flag: 'ca-file', arg: '<file>', env: 'WIRETY_SHIP_CA_FILE', kind: 'value', allHttp: true, path: ['tls', 'ca_file'], description: 'PEM file of CAs to trust (all HTTP sinks)' }),
  s({ flag: 'passthrough', env: 'WIRETY_SHIP_PASSTHROUGH', kind: 'switch', path: ['input', 'passthrough'], description: 'copy every input line unchanged to stdout' }),
  s({ flag: 'max-line-bytes', arg: '<size>', env: 'WIRETY_SHIP_MAX_LINE_BYTES', kind: 'value', path: ['input', 'max_line_bytes'], description: 'longer lines are dead-lettered (default 256KiB)' }),
  s({ flag: 'unknown-actions', arg: '<forward|dead_letter>', env: 'WIRETY_SHIP_UNKNOWN_ACTIONS', kind: 'value', path: ['audit', 'unknown_actions'], description: 'events with an action not in the catalogue' }),
  s({ flag: 'dead-letter', arg: '<path>', env: 'WIRETY_SHIP_DEAD_LETTER', kind: 'value', path: ['dead_letter', 'path'], description: 'dead-letter file (default: dead-letter.ndjson in the state directory)' }),
  s({ flag: 'buffer', arg: '<disk|memory>', env: 'WIRETY_SHIP_BUFFER', kind: 'value', path: ['buffer', 'type'], description: 'journal on disk (default; survives crashes) or in memory' }),
  s({ flag: 'data-dir', arg: '<dir>', env: 'WIRETY_SHIP_DATA_DIR', kind: 'value', path: ['buffer', 'data_dir'], description: 'journal directory, one wirety-ship each (default: journal/ in the state directory)' }),
  s({ flag: 'fsync', arg: '<always|interval|never>', env: 'WIRETY_SHIP_FSYNC', kind: 'value', path: ['buffer', 'fsync'], description: 'when the journal is flushed to disk (default interval)' }),
  s({ flag: 'shutdown-timeout', arg: '<duration>', env: 'WIRETY_SHIP_SHUTDOWN_TIMEOUT', kind: 'value', path: ['shutdown_timeout'], description: 'time to flush on SIGTERM (default 20s)' }),
  s({ flag: 'metrics-addr', arg: '<host:port>', env: 'WIRETY_SHIP_METRICS_ADDR', kind: 'value', path: ['metrics', 'address'], description: 'serve /metrics, /healthz, /readyz here' }),
  s({ flag: 'log-level', arg: '<level>', env: 'WIRETY_SHIP_LOG_LEVEL', kind: 'value', path: ['log', 'level'], description: 'debug, info, warn or error (default info)' }),
  s({ flag: 'log-format', arg: '<auto|json|text>', env: 'WIRETY_SHIP_LOG_FORMAT', kind: 'value', path: ['log', 'format'], description: 'operational log format on stderr (default auto)' }),
];

/** Every flag and variable: the control rows, each registered sink's rows, the shared rows. */
export const SETTINGS: Setting[] = [...CONTROL, ...SHARED];

/** Called by sink-kinds.ts and input-kinds.ts as each sink or input registers its rows. */
export function addSinkSettings(rows: readonly Setting[]): void {
  SETTINGS.splice(SETTINGS.length - SHARED.length, 0, ...rows);
}

/** Variables that are not ours although they start with WIRETY_SHIP_: Kubernetes and Docker link
 * variables for a Service or container named "wirety-ship". */
export const FOREIGN_ENV =
  /^WIRETY_SHIP_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\d+_(TCP|UDP|SCTP)(_\w+)?)?|NAME|ENV_\w+)$/;
