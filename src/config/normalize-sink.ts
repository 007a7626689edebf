/**
 * One validated `sinks.<name>` block → its SinkConfig, from the declarations: the shared settings
 * (sink-shared.ts) resolve key by key from the sink's block, then the file's `defaults:`, then the
 * sink type's `typeDefaults`, then the declared default; the type's own keys (its config.ts) from
 * the sink's block, then their declared defaults. Unset optional settings are left out of the
 * result rather than set to undefined.
 */
import type { RawConfig, RawSink } from './file-schema.js';
import { normalizeBlock, within } from './normalize-block.js';
import { layered, type Resolver } from './resolve-values.js';
import { sharedForNormalize } from './sink-shared.js';
import { sinkKind } from './sink-kinds.js';
import { block } from './declare.js';
import type { SinkConfig } from './types.js';
import type { Tree } from './tree.js';

export interface SinkContext {
  readonly resolve: Resolver;
  readonly hostname: string;
}

export function normalizeSink(
  name: string,
  raw: RawSink,
  defaults: RawConfig['defaults'],
  ctx: SinkContext,
): SinkConfig {
  const kind = sinkKind(raw.type);
  const base = ['sinks', name];
  const layers = [
    [base, raw],
    [['defaults'], defaults],
  ] as const;
  const shared = normalizeBlock(
    block(kind.http ? sharedForNormalize.properties : kind.schema.properties),
    (key) => layered(layers, key),
    ctx.resolve,
    kind.typeDefaults,
  );
  const own = normalizeBlock(block(kind.own), within(base, raw), ctx.resolve, kind.fallbacks?.(ctx) ?? {});
  delete shared.type;
  const sink: Tree = { type: kind.type, name, ...shared, ...own };
  if (kind.http) {
    // Trailing slashes go so sinks can append their paths ("/loki/api/v1/push") without "//".
    sink.url = String(raw.url ?? '').replace(/\/+$/, '');
    sink.headers = { ...raw.headers };
  }
  return sink as unknown as SinkConfig;
}
