/**
 * The TypeScript type of a normalised block of the Config, derived from its declarations
 * (declare.ts) the way normalize-block.ts derives the value: a duration key `x` becomes
 * `x_ms: number`, a size key a number of bytes, a nested block its own normalised block, a list
 * or map its read-only form, any other key its declared type. A key is required when the Config
 * always has it (it declares a `default`, or `filled` because the loader fills it: the state
 * directory, a sink type's defaults) and optional otherwise (absent, never present-but-undefined).
 *
 * The unit and "always set" are carried by type-only marks on the helpers' return types: no such
 * property exists at run time (the schema says the same in `title` and `default`).
 */
import type { Static, TObject, TProperties, TSchema } from '@sinclair/typebox';

declare const UNIT: unique symbol;
declare const SET: unique symbol;

/** Marks a duration or size key (declare.ts `duration`, `size`). */
export interface Measured<U extends 'duration' | 'size'> {
  readonly [UNIT]: U;
}
/** Marks a key every Config has. */
export interface AlwaysSet {
  readonly [SET]: true;
}
/** The mark of a declaration whose doc says a default or `filled`. */
export type SetIf<D> = D extends { readonly default: unknown } | { readonly filled: true }
  ? AlwaysSet
  : unknown;

type IsSet<S> = S extends TObject ? true : S extends AlwaysSet ? true : false;
type NameOf<K extends string, S> = S extends Measured<'duration'> ? `${K}_ms` : K;
type Frozen<T> = T extends readonly (infer E)[] ? readonly E[] : T extends object ? Readonly<T> : T;
type ValueOf<S> =
  S extends TObject<infer P>
    ? Normalized<P>
    : S extends Measured<'duration' | 'size'>
      ? number
      : S extends TSchema
        ? Frozen<Static<S>>
        : never;
type Flat<T> = { readonly [K in keyof T]: T[K] };

/** A block of the Config as normalize-block.ts builds it from these declarations. */
export type Normalized<P extends TProperties> = Flat<
  {
    readonly [K in keyof P & string as IsSet<P[K]> extends true ? NameOf<K, P[K]> : never]: ValueOf<P[K]>;
  } & {
    readonly [K in keyof P & string as IsSet<P[K]> extends true ? never : NameOf<K, P[K]>]?: ValueOf<P[K]>;
  }
>;

/** The normalised form of a declared block (`section(…)` or `block(…)`). */
export type NormalizedBlock<S> = S extends TObject<infer P> ? Normalized<P> : never;
