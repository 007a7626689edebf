/** Shared by the config tests: temp config files (removed afterwards) and error capture. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import { ConfigError } from '../../src/config/config-error.js';
import { loadCommand, type Command } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';

export type Env = Record<string, string | undefined>;

/** Writes `text` to ship.yaml in a fresh temp dir, runs `fn(dir)`, then removes the dir. */
export async function withFile<T>(text: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-config-'));
  try {
    await writeFile(join(dir, 'ship.yaml'), text);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The home and uid the config tests load as: the default state directory is then fixed. */
export const TEST_USER = { home: '/home/tester', uid: 1000 } as const;

export async function load(argv: string[], env: Env = {}, cwd = tmpdir()): Promise<Command> {
  return loadCommand(argv, env, { cwd, hostname: 'test-host', ...TEST_USER });
}

export async function run(argv: string[], env: Env = {}, cwd?: string): Promise<Config> {
  const command = await load(argv, env, cwd);
  assert.equal(command.kind, 'run');
  return (command as { config: Config }).config;
}

/** Loads a file's text (plus argv/env) and returns its Config. */
export async function runFile(text: string, env: Env = {}, argv: string[] = []): Promise<Config> {
  return withFile(text, (dir) => run(['--config', 'ship.yaml', ...argv], env, dir));
}

export async function fails(argv: string[], env: Env = {}, cwd?: string): Promise<ConfigError> {
  try {
    await load(argv, env, cwd);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'WS_ERR_CONFIG');
    return error;
  }
  assert.fail('expected a ConfigError');
}

export async function failsFile(text: string, env: Env = {}, argv: string[] = []): Promise<ConfigError> {
  return withFile(text, (dir) => fails(['--config', 'ship.yaml', ...argv], env, dir));
}

export function sink<T extends Config['sinks'][number]['type']>(
  config: Config,
  name: string,
  type: T,
): Extract<Config['sinks'][number], { type: T }> {
  const found = config.sinks.find((s) => s.name === name);
  assert.ok(found, `no sink named ${name}`);
  assert.equal(found.type, type);
  return found as Extract<Config['sinks'][number], { type: T }>;
}
