/**
 * Folds WIRETY_SHIP_* variables, then flags, into the settings tree parsed from the file, so
 * flags beat variables beat the file, and everything is validated once by the same schema.
 *
 * Guarantees: every value set here is recorded in `origins` (errors then name the flag or the
 * variable, not the file); a flag sink (--loki…) creates or completes the sink of that exact name
 * and refuses to touch one of another type; a variable of a sink that neither the file, a flag nor
 * its URL variable asks for is ignored with a warning (unclaimed-env.ts); repeatable settings add
 * to the file's list or map (or to the built-in default list); empty variables count as unset;
 * a WIRETY_SHIP_* variable that means nothing is an error (a typo in a password variable would
 * otherwise surface only as 401s), except Kubernetes/Docker link variables and variables the file
 * itself references as ${…}.
 */
import type { Problem, ProblemList, Where } from './config-error.js';
import { declared } from './declare.js';
import type { FlagValue } from './flags.js';
import type { Env } from './interpolate.js';
import type { Origins } from './origins.js';
import {
  FOREIGN_ENV,
  INPUT_CREATORS,
  SETTINGS,
  SINK_TARGETS,
  type InputTarget,
  type Setting,
} from './settings.js';
import { sinkKind } from './sink-kinds.js';
import { suggest } from './suggest.js';
import { formatKey, getOwn, isTree, setOwn, type Path, type Tree } from './tree.js';
import { claimedSinks, unclaimedVariable } from './unclaimed-env.js';

const HTTP_TYPES = new Set(['loki', 'elasticsearch', 'splunk_hec']);

interface Context {
  readonly origins: Origins;
  readonly problems: ProblemList;
  /** Receives what is wrong but harmless, e.g. a variable of a sink nobody configured. */
  readonly warn: (warning: Problem) => void;
  /** Variables the file uses as ${…}: never warned about. */
  readonly referenced: ReadonlySet<string>;
}

function parseSwitch(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  return lower === 'true' || lower === '1' ? true : lower === 'false' || lower === '0' ? false : undefined;
}

/** The declared default of a flag sink's own key (sinks/<kind>/config.ts), e.g. Loki's labels. */
function declaredDefault(setting: Setting, key: string): unknown {
  const target = setting.sink ? SINK_TARGETS[setting.sink] : undefined;
  return target ? declared(sinkKind(target.type).own[key]).default : undefined;
}

/** A repeatable flag adds to the built-in list when the file has none (as --loki-label adds to job). */
function defaultList(setting: Setting, key: string): unknown[] {
  const list = declaredDefault(setting, key);
  return Array.isArray(list) ? [...(list as unknown[])] : [];
}

/** Walks to (creating) the block holding path's last key; undefined when the file put a non-block there. */
function parentOf(root: Tree, path: Path): Tree | undefined {
  let node = root;
  for (const part of path.slice(0, -1)) {
    const next = getOwn(node, String(part));
    if (next === undefined) setOwn(node, String(part), (node = {}));
    else if (isTree(next)) node = next;
    else return undefined;
  }
  return node;
}

function setValue(
  root: Tree,
  path: Path,
  setting: Setting,
  value: FlagValue,
  where: Where,
  ctx: Context,
): void {
  const parent = parentOf(root, path);
  const key = String(path[path.length - 1]);
  if (!parent) return; // the file has a scalar where a block belongs: validation reports it
  const had = getOwn(parent, key);
  if (had !== undefined)
    ctx.origins.shadow(path, setting.kind === 'value' || setting.kind === 'switch' ? 'overrides' : 'adds to');
  if (setting.kind === 'list') {
    const list = Array.isArray(had) ? (had as unknown[]) : defaultList(setting, key);
    setOwn(parent, key, [...new Set([...list, ...(value as readonly string[])])]);
  } else if (setting.kind === 'labels') {
    const builtIn = declaredDefault(setting, key);
    const labels: Tree = isTree(had) ? had : { ...(isTree(builtIn) ? builtIn : {}) };
    for (const pair of value as readonly string[]) {
      const at = pair.indexOf('=');
      if (at <= 0) {
        ctx.problems.add({ key: formatKey(path), message: 'each label must be written name=value', where });
        continue;
      }
      const name = pair.slice(0, at).trim();
      if (getOwn(labels, name) !== undefined) ctx.origins.shadow([...path, name], 'overrides');
      setOwn(labels, name, pair.slice(at + 1));
      ctx.origins.record([...path, name], where);
    }
    setOwn(parent, key, labels);
  } else {
    setOwn(parent, key, value);
  }
  ctx.origins.record(path, where);
}

/** A flag input (--file, --forward) is the input of that name; it is created with its type if absent. */
function applyToInput(tree: Tree, setting: Setting, value: FlagValue, where: Where, ctx: Context): void {
  const path = setting.path ?? [];
  if (setting.allInputs) {
    const inputs = getOwn(tree, 'inputs');
    if (!isTree(inputs)) return;
    for (const [name, input] of Object.entries(inputs)) {
      if (isTree(input) && input.type === setting.allInputs)
        setValue(tree, ['inputs', name, ...path], setting, value, where, ctx);
    }
    return;
  }
  const name = setting.input!;
  let inputs = getOwn(tree, 'inputs');
  if (inputs === undefined) setOwn(tree, 'inputs', (inputs = {}));
  if (!isTree(inputs)) return;
  const input = getOwn(inputs, name);
  if (input === undefined) {
    setOwn(inputs, name, { type: name });
    ctx.origins.record(['inputs', name], where);
  } else if (!isTree(input)) {
    return;
  } else if (input.type !== undefined && input.type !== name) {
    ctx.problems.add({
      key: `inputs.${name}.type`,
      message: `is ${JSON.stringify(input.type)}, but ${where.text} configures the ${name} input named "${name}"`,
      where: ctx.origins.where(['inputs', name, 'type']),
      hint: `rename the file's input "${name}", or drop the ${where.text.startsWith('command') ? 'flag' : 'variable'}`,
    });
    return;
  }
  setValue(tree, ['inputs', name, ...path], setting, value, where, ctx);
}

/** Inputs this run asks for by name: in the file, by a flag, or by the variable that creates one. */
function claimedInputs(tree: Tree, env: Env, flags: ReadonlyMap<Setting, FlagValue>): Set<InputTarget> {
  const claimed = new Set<InputTarget>();
  const inputs = getOwn(tree, 'inputs');
  for (const setting of SETTINGS) {
    const target = setting.input;
    if (target === undefined) continue;
    const inFile = isTree(inputs) && getOwn(inputs, target) !== undefined;
    const creates = setting.path?.join('.') === INPUT_CREATORS[target];
    const byEnv = creates && setting.env !== undefined && (env[setting.env] ?? '') !== '';
    if (inFile || flags.has(setting) || byEnv) claimed.add(target);
  }
  return claimed;
}

function apply(tree: Tree, setting: Setting, value: FlagValue, where: Where, ctx: Context): void {
  const path = setting.path;
  if (!path) return;
  if (setting.input || setting.allInputs) {
    applyToInput(tree, setting, value, where, ctx);
    return;
  }
  if (setting.allHttp) {
    const sinks = getOwn(tree, 'sinks');
    if (!isTree(sinks)) return;
    for (const [name, sink] of Object.entries(sinks)) {
      if (isTree(sink) && typeof sink.type === 'string' && HTTP_TYPES.has(sink.type))
        setValue(tree, ['sinks', name, ...path], setting, value, where, ctx);
    }
    return;
  }
  if (!setting.sink) {
    setValue(tree, path, setting, value, where, ctx);
    return;
  }
  const target = SINK_TARGETS[setting.sink];
  const name = setting.sink;
  let sinks = getOwn(tree, 'sinks');
  if (sinks === undefined) setOwn(tree, 'sinks', (sinks = {}));
  if (!isTree(sinks)) return;
  const sink = getOwn(sinks, name);
  if (sink === undefined) {
    if (value === false) return; // "WIRETY_SHIP_SPLUNK_ACK=false" must not invent a Splunk sink
    setOwn(sinks, name, { type: target.type });
    ctx.origins.record(['sinks', name], where);
  } else if (!isTree(sink)) {
    return;
  } else if (sink.type !== undefined && sink.type !== target.type) {
    ctx.problems.add({
      key: `sinks.${name}.type`,
      message: `is ${JSON.stringify(sink.type)}, but ${where.text} configures the ${target.type} sink named "${name}"`,
      where: ctx.origins.where(['sinks', name, 'type']),
      hint: `rename the file's sink "${name}", or drop the ${where.text.startsWith('command') ? 'flag' : 'variable'}`,
    });
    return;
  }
  if (path.length > 0) setValue(tree, ['sinks', name, ...path], setting, value, where, ctx);
}

function fromEnv(setting: Setting, text: string, where: Where, ctx: Context): FlagValue | undefined {
  if (setting.kind === 'switch') {
    const on = parseSwitch(text);
    if (on === undefined) {
      ctx.problems.add({
        message: `"${text}" is not a switch value`,
        where,
        hint: 'use true or false (or 1 or 0)',
      });
    }
    return on;
  }
  if (setting.kind === 'list' || setting.kind === 'labels') {
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  }
  return text;
}

export function applyOverlays(
  tree: Tree,
  env: Env,
  flags: ReadonlyMap<Setting, FlagValue>,
  ctx: Context,
): void {
  const later: [Setting, FlagValue, Where][] = [];
  const run = (setting: Setting, value: FlagValue, where: Where) => {
    if (setting.allHttp || setting.allInputs) later.push([setting, value, where]);
    else apply(tree, setting, value, where, ctx);
  };
  const claimed = claimedSinks(tree, env, flags);
  const inputs = claimedInputs(tree, env, flags);
  for (const setting of SETTINGS) {
    const text = setting.env ? env[setting.env] : undefined;
    if (!setting.env || text === undefined || text === '') continue;
    if (setting.sink !== undefined && !claimed.has(setting.sink)) {
      if (!ctx.referenced.has(setting.env))
        ctx.warn(unclaimedVariable({ ...setting, sink: setting.sink }, tree));
      continue;
    }
    if (setting.input !== undefined && !inputs.has(setting.input)) {
      if (!ctx.referenced.has(setting.env)) ctx.warn(unclaimedInputVariable(setting.env, setting.input));
      continue;
    }
    const where = { text: `environment variable ${setting.env}` };
    const value = fromEnv(setting, text, where, ctx);
    if (value !== undefined) run(setting, value, where);
  }
  for (const [setting, value] of flags) run(setting, value, { text: `command line (--${setting.flag})` });
  // After every sink and input exists, so --gzip also reaches a sink created by --loki, and the
  // Forward shared key the input created by --forward.
  for (const [setting, value, where] of later) {
    if (setting.allInputs && !hasInputOfType(tree, setting.allInputs)) {
      if (setting.env && !ctx.referenced.has(setting.env))
        ctx.warn(unclaimedInputVariable(setting.env, setting.allInputs));
      continue;
    }
    apply(tree, setting, value, where, ctx);
  }
}

function hasInputOfType(tree: Tree, type: InputTarget): boolean {
  const inputs = getOwn(tree, 'inputs');
  return isTree(inputs) && Object.values(inputs).some((input) => isTree(input) && input.type === type);
}

/** The warning for a variable of an input nobody asked for (it never holds the value). */
function unclaimedInputVariable(variable: string, target: InputTarget): Problem {
  const creator = SETTINGS.find((s) => s.input === target && s.path?.join('.') === INPUT_CREATORS[target]);
  return {
    message: `is set, but no ${target} input is configured, so it is ignored`,
    where: { text: `environment variable ${variable}` },
    hint: `add ${creator?.flag ? `--${creator.flag} ${creator.arg ?? ''}`.trim() : `an input of type ${target}`} or an input of type ${target} in the config file; otherwise unset it`,
  };
}

export function checkUnknownEnv(env: Env, referenced: ReadonlySet<string>, problems: ProblemList): void {
  const known = SETTINGS.flatMap((s) => (s.env ? [s.env] : []));
  for (const name of Object.keys(env)) {
    if (
      !name.startsWith('WIRETY_SHIP_') ||
      known.includes(name) ||
      referenced.has(name) ||
      FOREIGN_ENV.test(name)
    ) {
      continue;
    }
    const close = suggest(name, known);
    problems.add({
      message: `is not a wirety-ship setting${close ? `; did you mean ${close}?` : ''}`,
      where: { text: `environment variable ${name}` },
      hint: 'unset it, or see docs/config.md for the WIRETY_SHIP_* variables',
    });
  }
}
