/**
 * A validated settings tree → the Config every module reads (ms, bytes, absolute paths, every
 * default filled in). With no sink configured anywhere, the embedded default is one stdout sink
 * named "stdout" — unless passthrough owns stdout, in which case nothing is shipped. With no
 * receiver configured, buffer.type defaults to memory.
 */
import { join } from 'node:path';
import { DEFAULT_SINK_NAME, DEFAULTS } from './defaults.js';
import { block } from './declare.js';
import { inputKind } from './input-kinds.js';
import { CHECKPOINT_FILE_NAME } from './integrity.js';
import { fileSchema, type RawConfig } from './file-schema.js';
import { normalizeBlock, within } from './normalize-block.js';
import { normalizeSink } from './normalize-sink.js';
import type { Tree } from './tree.js';
import type { Resolver } from './resolve-values.js';
import type { Config, SinkConfig } from './types.js';

export interface NormalizeContext {
  readonly resolve: Resolver;
  readonly hostname: string;
  readonly origin: string;
  /** Absolute; the default journal and dead-letter file go here (defaults.ts stateDirectory). */
  readonly stateDir: string;
}

export function normalize(raw: RawConfig, ctx: NormalizeContext): Config {
  const d = DEFAULTS;
  const passthrough = raw.input?.passthrough ?? d.input.passthrough;

  const rawSinks = Object.entries(raw.sinks ?? {});
  const sinks: SinkConfig[] =
    rawSinks.length > 0
      ? rawSinks.map(([name, sink]) => normalizeSink(name, sink, raw.defaults, ctx))
      : passthrough
        ? []
        : [normalizeSink(DEFAULT_SINK_NAME, { type: 'stdout' }, raw.defaults, ctx)];
  // With no receiver (stdout and passthrough only) a disk journal would keep nothing a later run
  // uses, since stdout is per run (pipeline/stdout-run.ts): buffer in memory unless told otherwise.
  // The integrity chain needs the disk journal (config/integrity.ts), so a key makes it the default.
  const chained = raw.integrity?.key !== undefined || raw.integrity?.key_file !== undefined;
  const bufferType =
    raw.buffer?.type ?? (sinks.every((s) => s.type === 'stdout') && !chained ? 'memory' : d.buffer.type);
  const section = (
    key: 'input' | 'audit' | 'dead_letter' | 'buffer' | 'log' | 'metrics' | 'integrity',
    fallback: Tree = {},
  ) => normalizeBlock(fileSchema.properties[key], within([key], raw[key]), ctx.resolve, fallback) as unknown;
  const top = normalizeBlock(
    block({ shutdown_timeout: fileSchema.properties.shutdown_timeout }),
    within([], raw),
    ctx.resolve,
  );

  const input = section('input') as Config['input'];
  const rawInputs = Object.entries(raw.inputs ?? {});
  const inputs =
    rawInputs.length > 0
      ? rawInputs.map(([name, given]) => ({
          name,
          ...normalizeBlock(inputKind(given.type).schema, within(['inputs', name], given), ctx.resolve),
        }))
      : [{ name: input.type, type: input.type }];

  const buffer: Config['buffer'] = {
    ...(section('buffer', {
      data_dir: join(ctx.stateDir, d.buffer.dir_name),
      ...(bufferType === 'memory' ? { max_bytes: d.buffer.memory_max_bytes } : {}),
    }) as Config['buffer']),
    type: bufferType,
  };
  return {
    inputs: inputs as unknown as Config['inputs'],
    input,
    audit: section('audit') as Config['audit'],
    dead_letter: section('dead_letter', {
      path: join(ctx.stateDir, d.dead_letter.file_name),
    }) as Config['dead_letter'],
    buffer,
    integrity: section('integrity', {
      checkpoint_file: join(buffer.data_dir, CHECKPOINT_FILE_NAME),
    }) as Config['integrity'],
    shutdown_timeout_ms: top.shutdown_timeout_ms as number,
    log: section('log') as Config['log'],
    metrics: section('metrics') as Config['metrics'],
    sinks,
    origin: ctx.origin,
  };
}
