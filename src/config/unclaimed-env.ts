/**
 * Which flag sinks (loki, elasticsearch, splunk, stdout) this run actually asks for, so that a
 * WIRETY_SHIP_* variable completing a sink nobody asked for is ignored with a warning instead of
 * creating a sink without a URL (a 78 "url is required").
 *
 * Why: environments are shared. A Kubernetes Secret or an .env file often holds the credentials of
 * every receiver (WIRETY_SHIP_ES_API_KEY, WIRETY_SHIP_SPLUNK_TOKEN…) while one deployment ships to
 * Loki alone. A flag is different: `--loki-tenant acme` typed without `--loki` is a mistake made
 * now, and stays an error.
 *
 * A sink is asked for when the file has a sink of that name, any flag of that sink is given, or
 * its URL variable (for stdout: WIRETY_SHIP_STDOUT) is set. A variable the file references as
 * ${…} is used there and is not warned about.
 */
import type { Problem } from './config-error.js';
import type { FlagValue } from './flags.js';
import type { Env } from './interpolate.js';
import { SETTINGS, SINK_TARGETS, type Setting, type SinkTarget } from './settings.js';
import { getOwn, isTree, type Tree } from './tree.js';

const SINK_WORDS: Readonly<Record<SinkTarget, string>> = {
  loki: 'Loki',
  elasticsearch: 'Elasticsearch',
  splunk: 'Splunk HEC',
  stdout: 'stdout',
};

/** The setting that creates the sink on its own: its URL (or, for stdout, the switch itself). */
const creates = (setting: Setting): boolean =>
  setting.path !== undefined && (setting.path.length === 0 || setting.path.join('.') === 'url');

export function claimedSinks(
  tree: Tree,
  env: Env,
  flags: ReadonlyMap<Setting, FlagValue>,
): ReadonlySet<SinkTarget> {
  return claimedTargets(tree, env, flags, 'sinks', (setting) => setting.sink, creates);
}

/**
 * The flag targets (sinks or inputs) a run asks for: the file has an entry of that name under
 * `mapKey`, any flag of the target is given, or the variable of the setting that creates the target
 * on its own is set.
 */
export function claimedTargets<T extends string>(
  tree: Tree,
  env: Env,
  flags: ReadonlyMap<Setting, FlagValue>,
  mapKey: 'sinks' | 'inputs',
  targetOf: (setting: Setting) => T | undefined,
  createsTarget: (setting: Setting, target: T) => boolean,
): Set<T> {
  const claimed = new Set<T>();
  const entries = getOwn(tree, mapKey);
  for (const setting of SETTINGS) {
    const target = targetOf(setting);
    if (target === undefined) continue;
    const inFile = isTree(entries) && getOwn(entries, target) !== undefined;
    const byFlag = flags.has(setting);
    const byEnv =
      createsTarget(setting, target) && setting.env !== undefined && (env[setting.env] ?? '') !== '';
    if (inFile || byFlag || byEnv) claimed.add(target);
  }
  return claimed;
}

/** File sinks of the target's type under another name (the variables do not reach them). */
function namesakes(tree: Tree, target: SinkTarget): string[] {
  const sinks = getOwn(tree, 'sinks');
  if (!isTree(sinks)) return [];
  const type = SINK_TARGETS[target].type;
  return Object.entries(sinks).flatMap(([name, sink]) =>
    isTree(sink) && getOwn(sink, 'type') === type ? [name] : [],
  );
}

/** The warning for a variable of a sink nobody asked for (it never holds the value). */
export function unclaimedVariable(setting: Setting & { sink: SinkTarget }, tree: Tree): Problem {
  const url = SETTINGS.find((s) => s.sink === setting.sink && creates(s));
  const how = url?.flag ? `--${url.flag}${url.arg ? ` ${url.arg}` : ''}` : undefined;
  const ways = [how, url?.env].filter(Boolean).join(', ');
  const others = namesakes(tree, setting.sink);
  const variable = setting.env ?? '';
  return {
    message:
      others.length === 0
        ? `is set, but no ${SINK_WORDS[setting.sink]} sink is configured, so it is ignored`
        : `is set, but it only applies to the sink named "${setting.sink}", which is not configured, so it is ignored`,
    where: { text: `environment variable ${variable}` },
    hint:
      others.length === 0
        ? `to ship there, add ${ways} or a sink named "${setting.sink}" in the config file; otherwise unset it`
        : `for the file's sink "${others[0] ?? ''}", write \${${variable}} at its key in the file`,
  };
}
