/**
 * A registry of the kinds of one named map of the file (`sinks:`, `inputs:`): each kind declares
 * its block beside its code (src/sinks/<kind>/config.ts, src/sources/<kind>/config.ts) and is
 * registered from there, so config/ never imports a sink or a source. The map's schema `oneOf`
 * is the list of registered blocks (ajv discriminator on `type`), filled as kinds register.
 *
 * Invariant: kinds are registered before the first configuration is loaded; asking an empty
 * registry is a bug and throws, naming the module to import.
 */
import type { TObject } from '@sinclair/typebox';

export interface KindRegistry<K extends { readonly type: string }> {
  register(kinds: readonly K[]): void;
  has(type: string): boolean;
  all(): readonly (K & { readonly schema: TObject })[];
  get(type: string): K & { readonly schema: TObject };
  types(): string[];
  /** The `oneOf` of the map's entries; the same array object for the registry's whole life. */
  readonly schemas: TObject[];
  /** Changes whenever a kind registers, so a validator compiled before can be rebuilt. */
  version(): number;
}

export function createKindRegistry<K extends { readonly type: string }>(
  what: string,
  registrar: string,
  schemaOf: (kind: K) => TObject,
): KindRegistry<K> {
  const kinds = new Map<string, K & { readonly schema: TObject }>();
  const schemas: TObject[] = [];
  let version = 0;
  const all = () => {
    if (kinds.size === 0) throw new Error(`no ${what} kinds registered: import ${registrar} first`);
    return [...kinds.values()];
  };
  return {
    register(list) {
      for (const kind of list) {
        if (kinds.has(kind.type)) continue;
        const schema = schemaOf(kind);
        kinds.set(kind.type, { ...kind, schema });
        schemas.push(schema);
        version++;
      }
    },
    has: (type) => kinds.has(type),
    all,
    get(type) {
      const kind = kinds.get(type);
      if (!kind) throw new Error(`${what} type "${type}" is not registered`);
      return kind;
    },
    types: () => all().map((k) => k.type),
    schemas,
    version: () => version,
  };
}
