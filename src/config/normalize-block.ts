/**
 * Builds a block of the Config from its declaration (declare.ts), key by key: durations become
 * `<key>_ms` milliseconds and sizes bytes (at least the declared `x-min`), paths become absolute,
 * lists and maps are copied, nested blocks recurse; an unset key takes the caller's fallback, else
 * the declared default, else stays absent (never present-but-undefined).
 *
 * `lookup` says where a key's value comes from (one block, or a sink block then `defaults:`) and
 * the path to name in a problem, so one walk serves every block.
 */
import type { TObject } from '@sinclair/typebox';
import { declared, isBlock } from './declare.js';
import type { Resolver } from './resolve-values.js';
import { isTree, type Path, type Tree } from './tree.js';
import { parseDuration, parseSize } from './units.js';

export type Lookup = (key: Path) => readonly [Path, unknown];

/** A lookup into one block at `base`. */
export function within(base: Path, raw: unknown): Lookup {
  return (key) => {
    let node = raw;
    for (const part of key) node = isTree(node) ? node[String(part)] : undefined;
    return [[...base, ...key], node];
  };
}

const parsedOr = (parse: typeof parseDuration, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = parse(value);
  if (!parsed.ok)
    throw new Error(`declared default ${JSON.stringify(value)} does not parse: ${parsed.reason}`);
  return parsed.value;
};

/** The built-in defaults of a block, as the Config holds them (ms, bytes); unset keys left out. */
export function defaultsOf(schema: TObject, fallback: Tree = {}): Tree {
  const out: Tree = {};
  for (const [key, sub] of Object.entries(schema.properties)) {
    const d = declared(sub);
    const given = fallback[key] ?? d.default;
    if (isBlock(sub)) out[key] = defaultsOf(sub, isTree(fallback[key]) ? fallback[key] : {});
    else if (d.title === 'duration') {
      const ms = parsedOr(parseDuration, given);
      if (ms !== undefined) out[`${key}_ms`] = ms;
    } else if (d.title === 'size') {
      const bytes = parsedOr(parseSize, given);
      if (bytes !== undefined) out[key] = bytes;
    } else if (given !== undefined) out[key] = given;
  }
  return out;
}

export function normalizeBlock(
  schema: TObject,
  lookup: Lookup,
  resolve: Resolver,
  fallback: Tree = {},
  prefix: Path = [],
): Tree {
  const out: Tree = {};
  const builtIn = defaultsOf(schema, fallback);
  for (const [key, sub] of Object.entries(schema.properties)) {
    const d = declared(sub);
    const at = [...prefix, key];
    if (isBlock(sub)) {
      out[key] = normalizeBlock(sub, lookup, resolve, isTree(fallback[key]) ? fallback[key] : {}, at);
      continue;
    }
    const [where, value] = lookup(at);
    if (d.title === 'duration') {
      const ms = builtIn[`${key}_ms`] as number | undefined;
      if (value === undefined && ms === undefined) continue;
      out[`${key}_ms`] = resolve.duration(where, value, ms ?? 0, d['x-min']);
    } else if (d.title === 'size') {
      const bytes = builtIn[key] as number | undefined;
      if (value === undefined && bytes === undefined) continue;
      out[key] = resolve.size(where, value, bytes ?? 0, d['x-min']);
    } else {
      const chosen = value ?? builtIn[key];
      if (chosen === undefined) continue;
      if (d['x-path'] === true) out[key] = resolve.file(chosen as string);
      else if (Array.isArray(chosen)) out[key] = [...(chosen as unknown[])];
      else if (isTree(chosen)) out[key] = { ...chosen };
      else out[key] = chosen;
    }
  }
  return out;
}
