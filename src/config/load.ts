/**
 * argv + environment → what to do: print help, print the version, check the config, or run.
 *
 * Invariants of the configuration layer:
 * - Precedence: built-in defaults < YAML file (--config / WIRETY_SHIP_CONFIG) < WIRETY_SHIP_*
 *   variables < flags. Everything is folded into one tree and validated once, so a value is held
 *   to the same rules wherever it came from, and every error names its origin (file:line,
 *   "command line (--flag)" or "environment variable X") and the full key path.
 * - One run reports every problem of the flags, the file, the environment and the files the
 *   config names: a bad value is dropped (or replaced by its default) and checking goes on; only
 *   echoes of a problem already reported are left out (config-error.ts).
 * - ${VAR} substitution happens in the file's values only, after YAML parsing: it can never add
 *   structure, and never touches keys, flags or variables.
 * - Anything wrong is a ConfigError (code WS_ERR_CONFIG) listing every problem found; no message
 *   contains a secret. What is odd but harmless comes back as `warnings`, in the same shape.
 *   Nothing here prints, exits, writes a file or reads process.env/argv directly.
 * - The Config returned is complete (every default filled in, ms/bytes, absolute paths) and
 *   deeply frozen. --check-config's summary also says where each value came from (provenance.ts).
 */
import { homedir, hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { readVersion } from '../version.js';
import { checkFieldNames } from './check-field-names.js';
import { checkFiles } from './check-files.js';
import { checkIntegrity } from './check-integrity.js';
import { checkConfig } from './checks.js';
import { ConfigError, createProblemList, type Problem, type Where } from './config-error.js';
import { stateDirectory } from './defaults.js';
import { parseArgs } from './flags.js';
import { interpolateTree, type Env } from './interpolate.js';
import { normalize } from './normalize.js';
import { createOrigins, type FileSource } from './origins.js';
import { applyOverlays, checkUnknownEnv } from './overlay.js';
import { describeOrigins } from './provenance.js';
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
  | { readonly kind: 'run'; readonly config: Config; readonly warnings: readonly Problem[] }
  | {
      readonly kind: 'check';
      readonly config: Config;
      readonly summary: string;
      readonly warnings: readonly Problem[];
      /** --online: also probe each sink's receiver (src/check/). */
      readonly online: boolean;
    };

export interface LoadOptions {
  /** Relative paths (config file, data_dir, dead-letter file, *_file) resolve from here. */
  readonly cwd?: string;
  /** Splunk's default `host`. */
  readonly hostname?: string;
  /** The user's home and uid, for the default state directory (defaults.ts stateDirectory). */
  readonly home?: string;
  readonly uid?: number;
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
  const problems = createProblemList();
  for (const problem of parsed.problems) problems.add(problem);
  const flagValue = (flag: string) => {
    const setting = flagSetting(flag);
    return setting ? parsed.values.get(setting) : undefined;
  };

  if (flagValue('online') === true && flagValue('check-config') !== true) {
    throw new ConfigError({
      message: '--online only works together with --check-config',
      where: { text: 'command line (--online)' },
      hint: 'run wirety-ship --check-config --online',
    });
  }

  const fromFlag = flagValue('config') as string | undefined;
  const configName = fromFlag ?? (env.WIRETY_SHIP_CONFIG || undefined);
  let tree: Tree = {};
  let source: FileSource | undefined;
  let fileRead = true;
  if (configName !== undefined) {
    const via: Where = {
      text: fromFlag !== undefined ? 'command line (--config)' : 'environment variable WIRETY_SHIP_CONFIG',
    };
    try {
      ({ tree, source } = await readConfigFile(configName, resolve(cwd, configName), via));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) problems.add(problem);
      fileRead = false;
    }
  }

  const origins = createOrigins(source);
  // Harmless but worth saying (an unused variable, a field no event has): the CLI prints them.
  const warnings: Problem[] = [];
  const warn = (warning: Problem) => warnings.push(warning);
  const interpolated = interpolateTree(tree, env);
  for (const { path, message, hint } of interpolated.problems) {
    problems.add({ key: formatKey(path), message, where: origins.where(path), ...(hint ? { hint } : {}) });
  }
  tree = interpolated.value as Tree;
  checkUnknownEnv(env, interpolated.variables, problems);
  applyOverlays(tree, env, parsed.values, {
    origins,
    problems,
    warn,
    referenced: interpolated.variables,
  });
  // Without the file, the settings are incomplete: checking them would only report its absence again.
  if (!fileRead) problems.throwIfAny();
  problems.endStage();

  const raw = validateTree(tree, origins, problems);
  problems.endStage();
  if (!raw) {
    problems.throwIfAny();
    throw new Error('validateTree failed without reporting a problem');
  }

  const resolver = createResolver(cwd, origins, problems);
  const state = stateDirectory(env, {
    home: options.home ?? homedir(),
    uid: options.uid ?? process.getuid?.(),
  });
  const config = normalize(raw, {
    resolve: resolver,
    hostname: options.hostname ?? osHostname(),
    origin: configName !== undefined ? resolve(cwd, configName) : 'flags and environment',
    stateDir: state.dir,
  });
  problems.endStage();
  checkConfig(config, raw, resolver.problem);
  await checkFiles(config, raw, origins, resolver.problem);
  const keyId = await checkIntegrity(config, resolver.problem);
  checkFieldNames(config, resolver.problem, (path, message, hint) =>
    warn({ key: formatKey(path), message, where: origins.where(path), ...(hint ? { hint } : {}) }),
  );
  problems.throwIfAny();

  const frozen = deepFreeze(
    keyId === undefined ? config : { ...config, integrity: { ...config.integrity, key_id: keyId } },
  );
  if (flagValue('check-config') !== true) return { kind: 'run', config: frozen, warnings };
  const origin = describeOrigins(raw, origins, frozen, {
    dataDir: raw.buffer?.data_dir === undefined,
    deadLetter: raw.dead_letter?.path === undefined,
    why: `state directory ${state.dir}, ${state.why}`,
  });
  return {
    kind: 'check',
    config: frozen,
    summary: `${describeConfig(frozen)}\n${origin}\n`,
    warnings,
    online: flagValue('online') === true,
  };
}
