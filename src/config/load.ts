/**
 * argv + environment → what to do: print help, print the version, check the config, or run.
 *
 * Invariants of the configuration layer:
 * - Precedence: built-in defaults < YAML file (--config / WIRETY_SHIP_CONFIG) < WIRETY_SHIP_*
 *   variables < flags. Everything is folded into one tree and validated once, so a value is held
 *   to the same rules wherever it came from, and every error names its origin (file:line,
 *   "command line (--flag)" or "environment variable X") and the full key path.
 * - ${VAR} substitution happens in the file's values only, after YAML parsing: it can never add
 *   structure, and never touches keys, flags or variables.
 * - Anything wrong is a ConfigError (code WS_ERR_CONFIG) listing every problem found; no message
 *   contains a secret. Nothing here prints, exits, or reads process.env/argv directly.
 * - The Config returned is complete (every default filled in, ms/bytes, absolute paths) and
 *   deeply frozen.
 */
import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { readVersion } from '../version.js';
import { checkConfig } from './checks.js';
import { createProblemList, type Where } from './config-error.js';
import { parseArgs } from './flags.js';
import { interpolateTree, type Env } from './interpolate.js';
import { normalize } from './normalize.js';
import { createOrigins, type FileSource } from './origins.js';
import { applyOverlays, checkUnknownEnv } from './overlay.js';
import { createResolver } from './resolve-values.js';
import { SETTINGS } from './settings.js';
import { describeConfig } from './summary.js';
import { formatKey, type Tree } from './tree.js';
import type { Config } from './types.js';
import { validateTree } from './validate.js';
import { readConfigFile } from './yaml-file.js';

export { ConfigError } from './config-error.js';

export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string }
  | { readonly kind: 'run'; readonly config: Config }
  | { readonly kind: 'check'; readonly config: Config; readonly summary: string };

export interface LoadOptions {
  /** Relative paths (config file, data_dir, dead-letter file, *_file) resolve from here. */
  readonly cwd?: string;
  /** Splunk's default `host`. */
  readonly hostname?: string;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const flagSetting = (flag: string) => SETTINGS.find((s) => s.flag === flag);

export async function loadCommand(
  argv: readonly string[],
  env: Env,
  options: LoadOptions = {},
): Promise<Command> {
  const cwd = options.cwd ?? process.cwd();
  const parsed = parseArgs(argv, await readVersion());
  if (parsed.kind !== 'options') return parsed;
  const flagValue = (flag: string) => {
    const setting = flagSetting(flag);
    return setting ? parsed.values.get(setting) : undefined;
  };

  const fromFlag = flagValue('config') as string | undefined;
  const configName = fromFlag ?? (env.WIRETY_SHIP_CONFIG || undefined);
  let tree: Tree = {};
  let source: FileSource | undefined;
  if (configName !== undefined) {
    const via: Where = {
      text: fromFlag !== undefined ? 'command line (--config)' : 'environment variable WIRETY_SHIP_CONFIG',
    };
    ({ tree, source } = await readConfigFile(configName, resolve(cwd, configName), via));
  }

  const origins = createOrigins(source);
  const problems = createProblemList();
  const interpolated = interpolateTree(tree, env);
  for (const { path, message, hint } of interpolated.problems) {
    problems.add({ key: formatKey(path), message, where: origins.where(path), ...(hint ? { hint } : {}) });
  }
  problems.throwIfAny();
  tree = interpolated.value as Tree;

  checkUnknownEnv(env, interpolated.variables, problems);
  applyOverlays(tree, env, parsed.values, { origins, problems });
  problems.throwIfAny();
  const raw = validateTree(tree, origins, problems);
  problems.throwIfAny();
  if (!raw) throw new Error('validateTree failed without reporting a problem');

  const resolver = createResolver(cwd, origins, problems);
  const config = normalize(raw, {
    resolve: resolver,
    hostname: options.hostname ?? osHostname(),
    origin: configName !== undefined ? resolve(cwd, configName) : 'flags and environment',
  });
  problems.throwIfAny();
  checkConfig(config, raw, resolver.problem);
  problems.throwIfAny();

  const frozen = deepFreeze(config);
  return flagValue('check-config') === true
    ? { kind: 'check', config: frozen, summary: describeConfig(frozen) }
    : { kind: 'run', config: frozen };
}
