/**
 * The registry of sink types: each sink declares its own keys, defaults, checks and summary line
 * beside its code (src/sinks/<kind>/config.ts) and src/sinks/config-kinds.ts registers them all,
 * so config/ never imports a sink. The file schema's `sinks:` map, the flag table, the
 * normalizer, the checks, the --check-config summary and docs/config.md read the kinds from here.
 *
 * Invariant: kinds are registered before the first configuration is loaded (the CLI, the docs
 * generator and the config tests import src/sinks/config-kinds.ts); kind-registry.ts says the rest.
 */
import type { TObject, TProperties } from '@sinclair/typebox';
import { block, typeKey } from './declare.js';
import { createKindRegistry } from './kind-registry.js';
import { addSinkSettings, type Setting } from './settings.js';
import { httpCommon, sinkCommon } from './sink-shared.js';
import type { Path, Tree } from './tree.js';
import type { SinkConfig } from './types.js';

export type Report = (path: Path, message: string, hint?: string) => void;

export interface SinkKind<C extends SinkConfig = SinkConfig> {
  readonly type: C['type'];
  /** Sent over HTTP: has url, timeout, gzip, tls, headers (and flags that apply to all HTTP sinks). */
  readonly http: boolean;
  /** The docs' line for `url`: a base URL as a user writes it, and the path the sink adds. */
  readonly urlDoc?: string;
  /** Flags and WIRETY_SHIP_* variables of the sink they create or complete (settings.ts). */
  readonly flags?: readonly Setting[];
  /** This type's own keys, beyond the shared ones of sink-shared.ts. */
  readonly own: TProperties;
  /** What applies when neither the sink block nor `defaults:` says (the receivers' limits differ). */
  readonly typeDefaults: {
    readonly batch: { readonly max_events: number; readonly max_bytes: string; readonly max_wait: string };
    readonly max_in_flight: number;
  };
  /** Defaults known only when loading (Splunk's host is this machine's name). */
  readonly fallbacks?: (context: { readonly hostname: string }) => Tree;
  /** Rules the schema cannot say, on the normalized sink; `raw` is what the file wrote. */
  readonly check?: (sink: C, raw: Tree | undefined, report: Report) => void;
  /** The --check-config summary lines of this sink's own settings. */
  readonly describe?: (sink: C) => readonly string[];
}

export interface RegisteredSinkKind extends SinkKind {
  /** The whole block of a sink of this type: `type`, the shared settings, its own. */
  readonly schema: TObject;
}

const registry = createKindRegistry<SinkKind>('sink', 'src/sinks/config-kinds.js', (kind) =>
  block({ type: typeKey(kind.type), ...(kind.http ? httpCommon : sinkCommon), ...kind.own }),
);
/** The `oneOf` of the file schema's `sinks:` map: filled as kinds register (file-schema.ts). */
export const sinkBlockSchemas = registry.schemas;

/** Typed by the sink's own config; stored as any sink's. */
export function defineSinkKind<T extends SinkConfig['type']>(
  kind: SinkKind<Extract<SinkConfig, { type: T }>>,
): SinkKind {
  return kind as unknown as SinkKind;
}

export function registerSinkKinds(list: readonly SinkKind[]): void {
  const fresh = list.filter((kind) => !registry.has(kind.type));
  registry.register(fresh);
  for (const kind of fresh) addSinkSettings(kind.flags ?? []);
}
export const sinkKinds = (): readonly RegisteredSinkKind[] => registry.all();
export const sinkKind = (type: string): RegisteredSinkKind => registry.get(type);
export const sinkTypes = (): string[] => registry.types();
export const sinkRegistryVersion = (): number => registry.version();

/** Which sink types have a given key, for "index is a setting of elasticsearch sinks" hints. */
export function sinkTypesWithKey(key: string): string[] {
  return sinkKinds()
    .filter((k) => Object.hasOwn(k.schema.properties, key))
    .map((k) => k.type);
}
