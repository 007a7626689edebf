/**
 * The registry of input types (`inputs:`): each input declares its own keys and checks beside its
 * code (src/sources/<kind>/config.ts) and src/sources/config-kinds.ts registers them, the same way
 * sinks do (sink-kinds.ts), so config/ never imports a source. Settings every input shares
 * (max_line_bytes, max_depth, passthrough) stay in the `input:` block (file-schema.ts).
 */
import type { TProperties } from '@sinclair/typebox';
import { block, typeKey } from './declare.js';
import { createKindRegistry } from './kind-registry.js';
import { addSinkSettings, type Setting } from './settings.js';
import type { Report } from './sink-kinds.js';
import type { Tree } from './tree.js';
import type { InputSpec } from './types.js';

export interface InputKind {
  readonly type: InputSpec['type'];
  /** This type's own keys (a file input's paths, a listener's address…). */
  readonly own: TProperties;
  /** Flags and WIRETY_SHIP_* variables of the input they create or complete (settings.ts). */
  readonly flags?: readonly Setting[];
  /** Rules the schema cannot say, on the normalized input; `raw` is what the file wrote. */
  readonly check?: (input: InputSpec, raw: Tree | undefined, report: Report) => void;
  /** The --check-config summary lines of this input's own settings (secrets never shown). */
  readonly describe?: (input: InputSpec) => readonly string[];
}

const registry = createKindRegistry<InputKind>('input', 'src/sources/config-kinds.js', (kind) =>
  block({ type: typeKey(kind.type), ...kind.own }),
);
/** The `oneOf` of the file schema's `inputs:` map: filled as kinds register (file-schema.ts). */
export const inputBlockSchemas = registry.schemas;

export function registerInputKinds(list: readonly InputKind[]): void {
  const fresh = list.filter((kind) => !registry.has(kind.type));
  registry.register(fresh);
  for (const kind of fresh) addSinkSettings(kind.flags ?? []);
}
export const inputKind = (type: string) => registry.get(type);
export const inputKinds = () => registry.all();
export const inputTypes = (): string[] => registry.types();
export const inputRegistryVersion = (): number => registry.version();
