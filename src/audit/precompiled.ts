/**
 * Validators compiled at build time, and the ajv that compiles them at run time when there are none.
 *
 * Compiling the audit-event schema and the config schema with ajv takes most of a start (and ajv
 * itself takes a while to load), so `npm run build` writes them as ajv's standalone code next to
 * the modules that use them (scripts/precompile-validators.ts). A compiled module carries the
 * fingerprint of what it was compiled from (ajv options + schema + exported names): it is used only
 * when the fingerprint matches what this run would compile, so a schema edited after the build, a
 * kind registered by a test, or a plain `tsc` that left an older one in dist/ falls back to
 * compiling at run time, with the same options, hence the same verdicts and error objects. Running
 * from src/ (tsx) there is no compiled module: always the fallback.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, Options, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';

const require = createRequire(import.meta.url);

/** The exports of a module written by scripts/precompile-validators.ts. */
export interface CompiledModule {
  readonly fingerprint: string;
  readonly [name: string]: ValidateFunction | string;
}

/** What the module at `name` must have been compiled from: it changes with any of them. */
export function fingerprint(options: object, schema: unknown, names: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([options, schema, names]))
    .digest('hex');
}

/**
 * The compiled module beside `base` (an import.meta.url) if it exists and matches `expected`,
 * else undefined. A module that exists but does not load is a broken build: that throws.
 */
export function loadCompiled(base: string, name: string, expected: string): CompiledModule | undefined {
  const file = fileURLToPath(new URL(name, base));
  let loaded: CompiledModule;
  try {
    loaded = require(file) as CompiledModule;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'MODULE_NOT_FOUND' && message.includes(file)) return undefined;
    throw error;
  }
  return loaded.fingerprint === expected ? loaded : undefined;
}

/** A new Ajv, loaded only when something must be compiled at run time (ajv is CommonJS). */
export function newAjv(options: Options): AjvClass {
  const { Ajv } = require('ajv') as typeof AjvModule;
  return new Ajv(options);
}
