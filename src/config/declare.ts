/**
 * How a configuration key is declared: once, as a TypeBox schema that carries everything said
 * about the key. From these declarations come the JSON Schema ajv validates the file with
 * (validate.ts), the TypeScript type of a validated tree (`Static<…>`, file-schema.ts) and of the
 * normalised Config (normalized-type.ts, types.ts), the built-in defaults (defaults.ts,
 * `defaultsOf`), the values a Config is built from (normalize-block.ts), the flag table
 * (settings.ts, from `cli`), the --check-config lines (summary.ts, from `summary`) and the key
 * tables of docs/config.md (scripts/gen-config-docs.ts).
 *
 * Why TypeBox and not zod: TypeBox schemas ARE JSON Schema objects, so the ajv validation that
 * words every error today (key path, "did you mean", accepted values, unit hints) keeps running on
 * them unchanged, and `Static<>` infers the type from the same object. zod would need a second
 * converter (zod → JSON Schema) whose output ajv's messages were not written for, or a rewrite of
 * every message on zod's issues.
 *
 * What a declaration holds: the type (and unit: `title` "duration" or "size", which units.ts
 * parses and validate.ts words), `description` (the one-line doc), `default` (as written in the
 * file: "1s", "256KiB"), and for docs and normalizing the annotations below (`x-…`, registered
 * with ajv as annotation-only keywords). A global key's flag and WIRETY_SHIP_* variable are
 * declared in its `cli` (settings.ts turns them into rows of the flag table); a sink's flags are
 * declared beside the sink (src/sinks/<kind>/config.ts), by key path inside the sink.
 */
import {
  Type,
  type TArray,
  type TBoolean,
  type TInteger,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TString,
  type TUnsafe,
} from '@sinclair/typebox';
import type { AlwaysSet, Measured, Normalized, SetIf } from './normalized-type.js';

/** Annotation keywords of a declaration (ajv ignores them; validate.ts registers them). */
export const ANNOTATIONS = ['x-type', 'x-default', 'x-min', 'x-path', 'x-secret', 'x-cli'] as const;

/**
 * The flag and WIRETY_SHIP_* variable that set a key from outside the file. What the value is
 * (switch, list, name=value labels, one value) follows from the key's type; the placeholder too,
 * for choices (`<a|b>`), durations (`<duration>`) and sizes (`<size>`).
 */
export interface Cli {
  /** The long flag without dashes; absent when the key has a variable only. */
  readonly flag?: string;
  readonly env?: string;
  /** The value's placeholder in --help, e.g. "<dir>"; needed when the type cannot say it. */
  readonly arg?: string;
  /** The --help line (docs/config.md's flag table shows it too). */
  readonly help: string;
  /** Ends the --help line with the declared default: "(default 20s)". */
  readonly showDefault?: boolean;
  /**
   * Rank in --help among the flags declared on keys (listed after the sinks' flags), so the help
   * reads by task, not by the file's layout. Any numbers; gaps leave room.
   */
  readonly order: number;
}

/** A line of the --check-config summary, written beside the block (or key) it describes. */
export interface SummaryLine<V> {
  /** The line's label ("dead letter"), padded into the summary's first column. */
  readonly label: string;
  /** The rest of the line, from the normalised value (ms, bytes, defaults filled). */
  readonly line: (value: V, context: SummaryContext) => string;
  /** A warning for the end of the summary, when the value deserves one. */
  readonly warning?: (value: V) => string | undefined;
}
/** What a summary line may read beyond its own value (kept small: the Config is built from these). */
export interface SummaryContext {
  readonly inputs: readonly { readonly name: string; readonly type: string }[];
}
/** Where a declaration keeps its summary line: a symbol, so neither ajv nor JSON ever sees it. */
export const SUMMARY = Symbol('summary');

export interface Doc<V = never> {
  /** One line for docs/config.md. */
  readonly doc: string;
  /** The built-in default, written as in the file ("1s", "256KiB", ["a"]). */
  readonly default?: unknown;
  /** The docs' default column when no literal says it ("per type", "this machine's hostname"). */
  readonly defaultText?: string;
  /** The docs' type column when the JSON type says too little ("URL", "host:port"). */
  readonly typeText?: string;
  /** Never printed or logged: "[redacted]" in the summary and wherever the Config is shown. */
  readonly secret?: boolean;
  /** Settable by a flag and/or a variable (never for a secret: flags.ts says why). */
  readonly cli?: Cli;
  /**
   * No `default` is declared, but the loader always sets it (the state directory, a sink type's
   * defaults): the Config's type has it as required (normalized-type.ts).
   */
  readonly filled?: true;
  /** This key's line in the --check-config summary (summary.ts prints them in declaration order). */
  readonly summary?: SummaryLine<V>;
}

function annotate<V>(d: Doc<V>): Record<string | symbol, unknown> {
  return {
    description: d.doc,
    ...(d.default !== undefined ? { default: d.default } : {}),
    ...(d.defaultText !== undefined ? { 'x-default': d.defaultText } : {}),
    ...(d.typeText !== undefined ? { 'x-type': d.typeText } : {}),
    ...(d.secret === true ? { 'x-secret': true } : {}),
    ...(d.cli !== undefined ? { 'x-cli': d.cli } : {}),
    ...(d.summary !== undefined ? { [SUMMARY]: d.summary } : {}),
  };
}

/** Optional in the file; the marks say what the Config holds (normalized-type.ts). */
type Key<T extends TSchema, D> = TOptional<T> & SetIf<D>;

export const text = <const D extends Doc<string>>(d: D) =>
  Type.Optional(Type.String(annotate(d))) as Key<TString, D>;
/** A file path: resolved from the working directory when the Config is built. */
export const path = <const D extends Doc<string>>(d: D) =>
  Type.Optional(Type.String({ ...annotate({ typeText: 'path', ...d }), 'x-path': true })) as Key<TString, D>;
export const bool = <const D extends Doc<boolean>>(d: D) =>
  Type.Optional(Type.Boolean(annotate(d))) as Key<TBoolean, D>;
export const integer = <const D extends Doc<number> & { readonly min: number; readonly max?: number }>(
  d: D,
) =>
  Type.Optional(
    Type.Integer({ minimum: d.min, ...(d.max !== undefined ? { maximum: d.max } : {}), ...annotate(d) }),
  ) as Key<TInteger, D>;
export const choice = <const V extends readonly string[], const D extends Doc<V[number]>>(values: V, d: D) =>
  Type.Optional(Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...annotate(d) })) as Key<
    TUnsafe<V[number]>,
    D
  >;
/**
 * A value with a unit, written "30s" or "1MiB" (units.ts parses it; validate.ts words the errors
 * by `title`). `min` (ms or bytes) is checked after parsing, by resolve-values.ts.
 */
const measured =
  <U extends 'duration' | 'size'>(unit: U) =>
  <const D extends Doc<number> & { readonly min?: number }>(d: D) =>
    Type.Optional(
      Type.Unsafe<string | number>({
        title: unit,
        type: ['string', 'integer'],
        ...annotate(d),
        ...(d.min !== undefined ? { 'x-min': d.min } : {}),
      }),
    ) as Key<TUnsafe<string | number>, D> & Measured<U>;
export const duration = measured('duration');
export const size = measured('size');
export const list = <const D extends Doc<readonly string[]>>(d: D) =>
  Type.Optional(Type.Array(Type.String(), annotate(d))) as Key<TArray<TString>, D>;
export const textMap = <const D extends Doc<Readonly<Record<string, string>>>>(d: D) =>
  Type.Optional(
    Type.Unsafe<Record<string, string>>({
      type: 'object',
      additionalProperties: { type: 'string' },
      ...annotate(d),
    }),
  ) as Key<TUnsafe<Record<string, string>>, D>;
/** A block of keys; any other key in it is an error (with a suggestion drawn from these). */
export const block = <P extends TProperties>(properties: P, doc?: string) =>
  Type.Object(properties, {
    additionalProperties: false,
    ...(doc !== undefined ? { description: doc } : {}),
  });
/**
 * A block of the file under its own key (always present in the Config, defaults filled), with
 * its one-line doc and, optionally, its line of the --check-config summary.
 */
export const section = <P extends TProperties>(
  properties: P,
  about?: string | { readonly doc?: string; readonly summary?: SummaryLine<Normalized<P>> },
) => {
  const { doc, summary } = typeof about === 'string' ? { doc: about, summary: undefined } : (about ?? {});
  const schema = Type.Optional(block(properties, doc));
  return (summary !== undefined ? { ...schema, [SUMMARY]: summary } : schema) as typeof schema & AlwaysSet;
};

/** The `type` of an entry of a named map (`sinks:`, `inputs:`): what ajv's discriminator reads. */
export const typeKey = (type: string) => Type.Unsafe<string>({ type: 'string', const: type });

/** What the walkers below read of a declaration. */
export interface Declared {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly properties?: Readonly<Record<string, TSchema>>;
  readonly additionalProperties?: unknown;
  readonly 'x-type'?: string;
  readonly 'x-default'?: string;
  readonly 'x-min'?: number;
  readonly 'x-path'?: boolean;
  readonly 'x-secret'?: boolean;
  readonly 'x-cli'?: Cli;
}

export const declared = (schema: unknown): Declared => schema as Declared;

/** The names of the keys declared secret in these blocks, at any depth. */
export function secretKeys(schemas: readonly TObject[]): Set<string> {
  const found = new Set<string>();
  const walk = (schema: TObject) => {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (declared(sub)['x-secret'] === true) found.add(key);
      if (isBlock(sub)) walk(sub);
    }
  };
  schemas.forEach(walk);
  return found;
}

/** A block of keys (as opposed to a map or a value). */
export function isBlock(schema: unknown): schema is TObject {
  const d = declared(schema);
  return d.type === 'object' && d.properties !== undefined;
}
