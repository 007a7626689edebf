/**
 * The one table of command-line flags and WIRETY_SHIP_* environment variables: flags.ts builds
 * the parser and the help from it, overlay.ts applies it, docs/config.md is generated from it.
 * Its rows come from three places, in this order (the order of --help): the control flags below,
 * each sink's flags (beside the sink, registered by sink-kinds.ts), then the flags declared on the
 * global and shared keys themselves (`cli` in declare.ts, registered by file-schema.ts), ranked by
 * their `order`.
 *
 * Secrets (passwords, tokens, API keys) have an environment variable and a *_file flag but never a
 * flag of their own: command lines are visible to every user of the machine (ps, /proc).
 */
import type { TObject } from '@sinclair/typebox';
import { declared, isBlock } from './declare.js';
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

// One row per control flag (they set no key), kept on one line each so the table reads as a table.
// prettier-ignore
const CONTROL: readonly Setting[] = [
  s({ flag: 'config', short: 'c', arg: '<file>', env: 'WIRETY_SHIP_CONFIG', kind: 'value', description: 'YAML config file' }),
  s({ flag: 'check-config', kind: 'switch', description: 'validate the configuration, print a summary (secrets redacted) and exit' }),
  s({ flag: 'online', kind: 'switch', description: 'with --check-config: also ask each sink\'s receiver, with requests that store nothing, whether a run would work (exit 69 if not)' }),
];

/** Every flag and variable: the control rows, each registered sink's rows, the keys' own rows. */
export const SETTINGS: Setting[] = [...CONTROL];
/** How many rows at the end of SETTINGS came from key declarations (sink rows go before them). */
let declaredRows = 0;

/** Called by sink-kinds.ts and input-kinds.ts as each sink or input registers its rows. */
export function addSinkSettings(rows: readonly Setting[]): void {
  SETTINGS.splice(SETTINGS.length - declaredRows, 0, ...rows);
}

/** What a key's type says about its flag: how the value is taken and, when it can, its placeholder. */
function shapeOf(schema: unknown): { kind: Setting['kind']; arg?: string } {
  const d = declared(schema);
  if (d.type === 'boolean') return { kind: 'switch' };
  if (d.type === 'array') return { kind: 'list' };
  if (d.type === 'object') return { kind: 'labels' };
  if (d.enum !== undefined) return { kind: 'value', arg: `<${d.enum.join('|')}>` };
  if (d.title === 'duration' || d.title === 'size') return { kind: 'value', arg: `<${d.title}>` };
  return { kind: 'value' };
}

type Ranked = Setting & { readonly order: number };

/**
 * The rows of the keys of `schema` (at any depth) that declare a `cli`. `allHttp`: the keys are
 * the HTTP sinks' shared ones, set on every HTTP sink; `skip` leaves blocks out (`defaults:` holds
 * the same declarations as the sinks, but their flags set the sinks' keys, never `defaults:`).
 */
export function declaredSettings(
  schema: TObject,
  options: { readonly allHttp?: boolean; readonly skip?: readonly string[] } = {},
  prefix: readonly string[] = [],
): Ranked[] {
  return Object.entries(schema.properties).flatMap(([key, sub]): Ranked[] => {
    if (options.skip?.includes(key)) return [];
    const path = [...prefix, key];
    if (isBlock(sub)) return declaredSettings(sub, options, path);
    const d = declared(sub);
    const cli = d['x-cli'];
    if (cli === undefined) return [];
    if (d['x-secret'] === true && cli.flag !== undefined)
      throw new Error(`${path.join('.')}: a secret has no flag (command lines are visible to every user)`);
    const shape = shapeOf(sub);
    const arg = cli.arg ?? shape.arg;
    if (shape.kind !== 'switch' && arg === undefined)
      throw new Error(`${path.join('.')}: its cli needs an arg (the value's placeholder in --help)`);
    return [
      {
        ...(cli.flag !== undefined ? { flag: cli.flag } : {}),
        ...(shape.kind !== 'switch' ? { arg } : {}),
        ...(cli.env !== undefined ? { env: cli.env } : {}),
        kind: shape.kind,
        ...(options.allHttp === true ? { allHttp: true } : {}),
        path,
        description: cli.showDefault === true ? `${cli.help} (default ${String(d.default)})` : cli.help,
        order: cli.order,
      },
    ];
  });
}

/** Called by file-schema.ts with the rows its keys declare: they go last, ranked by `order`. */
export function addDeclaredSettings(rows: readonly Ranked[]): void {
  const ranked = [...rows].sort((a, b) => a.order - b.order).map(({ order: _, ...row }) => row);
  SETTINGS.push(...ranked);
  declaredRows += ranked.length;
}

/** Variables that are not ours although they start with WIRETY_SHIP_: Kubernetes and Docker link
 * variables for a Service or container named "wirety-ship". */
export const FOREIGN_ENV =
  /^WIRETY_SHIP_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\d+_(TCP|UDP|SCTP)(_\w+)?)?|NAME|ENV_\w+)$/;
