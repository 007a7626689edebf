/**
 * Checks the merged settings tree (file + env + flags) against fileSchema and turns ajv's errors
 * into problems a person can act on: full key path, origin, "did you mean", the accepted values.
 *
 * ajv coerces unambiguous scalars in place ("5" → 5 where a number is expected, "true" → true,
 * 123 → "123" where text is expected), so values that came through ${VAR} or an environment
 * variable work like literals. Empty values (`key:` with nothing after it) are refused first:
 * ajv would coerce them to "", 0 or false, which is never what the user meant. A refused value is
 * removed from the tree, so the cross-checks after this still run on everything else.
 */
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { fingerprint, loadCompiled, newAjv } from '../audit/precompiled.js';
import type { Problem, ProblemList } from './config-error.js';
import { ANNOTATIONS } from './declare.js';
import { fileSchema, type RawConfig } from './file-schema.js';
import { inputRegistryVersion, inputTypes } from './input-kinds.js';
import { sinkRegistryVersion, sinkTypes, sinkTypesWithKey } from './sink-kinds.js';
import type { Origins } from './origins.js';
import { didYouMean } from './suggest.js';
import { formatKey, fromPointer, getOwn, isTree, type Path, type Tree } from './tree.js';

/** The options fileSchema is compiled with, at run time and at build time alike. */
export const CONFIG_AJV_OPTIONS: Options = {
  allErrors: true,
  coerceTypes: true,
  verbose: true,
  discriminator: true,
  allowUnionTypes: true,
};
const COMPILED_MODULE = './file-schema.compiled.cjs';
const SCHEMA_KEY = 'wirety-ship-config';
const EXPORTED = ['validate'];

/**
 * What a compiled module must match to stand in for compiling fileSchema as the kinds registered
 * now make it (audit/precompiled.ts). JSON leaves out TypeBox's symbol keys, which ajv ignores too.
 */
export const configFingerprint = (): string =>
  fingerprint({ ...CONFIG_AJV_OPTIONS, vocabulary: ANNOTATIONS }, fileSchema, EXPORTED);

/** fileSchema compiled by ajv; the build passes `{ code: { source: true } }` to write it as code. */
export function compileConfigSchema(extra: Options = {}): {
  readonly ajv: Ajv;
  readonly refs: Record<string, string>;
  readonly validate: ValidateFunction<RawConfig>;
} {
  const ajv = newAjv({ ...CONFIG_AJV_OPTIONS, ...extra });
  ajv.addVocabulary([...ANNOTATIONS]);
  ajv.addSchema(fileSchema, SCHEMA_KEY);
  const validate = ajv.getSchema<RawConfig>(SCHEMA_KEY);
  if (!validate) throw new Error('ajv lost the config schema');
  return { ajv, refs: { validate: SCHEMA_KEY }, validate };
}

/**
 * Compiled on first use, once the sinks and inputs have registered their blocks (kind-registry.ts):
 * the build's compiled module when it matches them, else ajv here.
 */
let compiled: { readonly version: string; readonly check: ValidateFunction<RawConfig> } | undefined;
function validator(): ValidateFunction<RawConfig> {
  // Each throws when nothing registered: every block would be an "unknown type".
  sinkTypes();
  inputTypes();
  const version = `${sinkRegistryVersion()}/${inputRegistryVersion()}`;
  if (compiled?.version !== version) {
    const built = loadCompiled(import.meta.url, COMPILED_MODULE, configFingerprint());
    compiled = {
      version,
      check: built ? (built.validate as ValidateFunction<RawConfig>) : compileConfigSchema().validate,
    };
  }
  return compiled.check;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a block of "key: value" settings',
  array: 'a list',
};

function expected(error: ErrorObject): string {
  const title = (error.parentSchema as { title?: string } | undefined)?.title;
  if (title === 'duration') return 'a duration with its unit, such as "500ms", "30s", "5m" (or 0)';
  if (title === 'size') return 'a size such as "256KiB", "1MiB", "100MB" (or a number of bytes)';
  return String(error.params.type)
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
}

/** The named map an error is in: `inputs:` or `sinks:`. */
function kindsAt(path: Path): { readonly word: string; readonly types: readonly string[] } {
  return path[0] === 'inputs' ? { word: 'input', types: inputTypes() } : { word: 'sink', types: sinkTypes() };
}

function describe(error: ErrorObject, tree: Tree): (Omit<Problem, 'where'> & { path: Path }) | undefined {
  const path = fromPointer(error.instancePath, tree);
  const params = error.params as Record<string, unknown>;
  const key = (extra: Path = []) => ({ path: [...path, ...extra], key: formatKey([...path, ...extra]) });
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys(
        (error.parentSchema as { properties?: object } | undefined)?.properties ?? {},
      );
      const suggestion = didYouMean(name, known);
      const elsewhere =
        path.length === 2 && path[0] === 'sinks' && suggestion === '' ? sinkTypesWithKey(name) : [];
      const hint =
        elsewhere.length > 0 ? `"${name}" is a setting of ${elsewhere.join(' and ')} sinks` : undefined;
      return { ...key([name]), message: `unknown key${suggestion}`, ...(hint ? { hint } : {}) };
    }
    case 'required': {
      const name = String(params.missingProperty);
      const hint = name === 'type' ? `one of ${kindsAt(path).types.join(', ')}` : undefined;
      return { ...key([name]), message: 'is required', ...(hint ? { hint } : {}) };
    }
    case 'discriminator': {
      if (params.error !== 'mapping') return undefined; // a missing `type` is reported by `required`
      const value = String(params.tagValue);
      const { word, types } = kindsAt(path);
      return {
        ...key(['type']),
        message: `unknown ${word} type "${value}"${didYouMean(value, types)}`,
        hint: `valid types: ${types.join(', ')}`,
      };
    }
    case 'propertyNames':
      return {
        ...key([String(params.propertyName)]),
        message: `is not a valid ${kindsAt(path).word} name: use only a-z, 0-9, "_" and "-" (the name is used for file names)`,
      };
    case 'pattern':
      return error.schemaPath.includes('/propertyNames/')
        ? undefined
        : { ...key(), message: error.message ?? '' };
    case 'type':
      return { ...key(), message: `must be ${expected(error)}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const value = String(error.data);
      return {
        ...key(),
        message: `"${value}" is not one of ${allowed.join(', ')}${didYouMean(value, allowed)}`,
      };
    }
    case 'minimum':
      return { ...key(), message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { ...key(), message: `must be at most ${String(params.limit)}` };
    default:
      return { ...key(), message: error.message ?? 'is invalid' };
  }
}

function findEmpty(node: unknown, path: Path, found: Path[]): void {
  if (node === null) found.push(path);
  else if (Array.isArray(node)) node.forEach((item, i) => findEmpty(item, [...path, i], found));
  else if (isTree(node)) for (const [k, v] of Object.entries(node)) findEmpty(v, [...path, k], found);
}

/** The part of the tree an error condemns: the unknown key, the bad value, or the block lacking `type`. */
function culprit(error: ErrorObject, tree: Tree): Path | undefined {
  const params = error.params as Record<string, unknown>;
  const at = (extra: string[] = []) => [...fromPointer(error.instancePath, tree), ...extra];
  switch (error.keyword) {
    case 'additionalProperties':
      return at([String(params.additionalProperty)]);
    case 'propertyNames':
      return at([String(params.propertyName)]);
    case 'pattern':
      return error.schemaPath.includes('/propertyNames/') ? undefined : at();
    default:
      return at();
  }
}

/** Deepest paths and highest list indexes first, so removing one never shifts another. */
function laterFirst(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    return typeof x === 'number' && typeof y === 'number' ? y - x : String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}

function remove(tree: Tree, paths: Path[]): void {
  const unique = [...new Map(paths.map((p) => [formatKey(p), p])).values()];
  for (const path of unique.sort(laterFirst)) {
    let node: unknown = tree;
    for (const part of path.slice(0, -1))
      node = isTree(node) ? getOwn(node, String(part)) : (node as unknown[])[part as number];
    const last = path[path.length - 1];
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else if (isTree(node)) delete node[String(last)];
  }
}

/**
 * Validates (and coerces) `tree` in place and adds every problem found to `problems`. Values that
 * break the schema are removed (their defaults apply) so the caller can go on checking the rest in
 * the same run; undefined only when the tree as a whole is unusable.
 */
export function validateTree(tree: Tree, origins: Origins, problems: ProblemList): RawConfig | undefined {
  const empty: Path[] = [];
  findEmpty(tree, [], empty);
  for (const path of empty) {
    problems.add({
      key: formatKey(path),
      message: 'has no value',
      where: origins.where(path),
      hint: 'give it a value, or delete the line to use the default',
    });
  }
  remove(tree, empty);
  // Each pass removes what the last one condemned; a few passes settle any real file.
  const check = validator();
  for (let pass = 0; pass < 8; pass++) {
    if (check(tree)) return tree;
    const errors = check.errors ?? [];
    for (const error of errors) {
      const described = describe(error, tree);
      if (!described) continue;
      const { path, ...rest } = described;
      problems.add({ ...rest, where: origins.where(path) });
    }
    const condemned = errors.map((e) => culprit(e, tree)).filter((p) => p !== undefined);
    if (condemned.length === 0 || condemned.some((p) => p.length === 0)) return undefined;
    remove(tree, condemned);
  }
  return undefined;
}
