/**
 * A validated settings tree → the Config every module reads (ms, bytes, absolute paths, every
 * default filled in). With no sink configured anywhere, the embedded default is one stdout sink
 * named "stdout" — unless passthrough owns stdout, in which case nothing is shipped. With no
 * receiver configured, buffer.type defaults to memory.
 */
import { join } from 'node:path';
import { DEFAULT_SINK_NAME, DEFAULTS } from './defaults.js';
import type { RawConfig } from './file-schema.js';
import { normalizeSink } from './normalize-sink.js';
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
  const { duration, size, file } = ctx.resolve;
  const d = DEFAULTS;
  const input = raw.input ?? {};
  const passthrough = input.passthrough ?? d.input.passthrough;
  const buffer = raw.buffer ?? {};
  const log = raw.log ?? {};
  const metrics = raw.metrics ?? {};
  const deadLetter = raw.dead_letter ?? {};

  const rawSinks = Object.entries(raw.sinks ?? {});
  const sinks: SinkConfig[] =
    rawSinks.length > 0
      ? rawSinks.map(([name, sink]) => normalizeSink(name, sink, raw.defaults, ctx))
      : passthrough
        ? []
        : [normalizeSink(DEFAULT_SINK_NAME, { type: 'stdout' }, raw.defaults, ctx)];
  // With no receiver (stdout and passthrough only) a disk journal would keep nothing a later run
  // uses, since stdout is per run (pipeline/stdout-run.ts): buffer in memory unless told otherwise.
  const bufferType = buffer.type ?? (sinks.every((s) => s.type === 'stdout') ? 'memory' : d.buffer.type);

  return {
    input: {
      type: input.type ?? d.input.type,
      max_line_bytes: size(['input', 'max_line_bytes'], input.max_line_bytes, d.input.max_line_bytes, 1),
      max_depth: input.max_depth ?? d.input.max_depth,
      passthrough,
    },
    audit: {
      unknown_actions: raw.audit?.unknown_actions ?? d.audit.unknown_actions,
      not_json: raw.audit?.not_json ?? d.audit.not_json,
    },
    dead_letter: {
      path: file(deadLetter.path ?? join(ctx.stateDir, d.dead_letter.file_name)),
      max_bytes: size(['dead_letter', 'max_bytes'], deadLetter.max_bytes, d.dead_letter.max_bytes, 1),
      max_files: deadLetter.max_files ?? d.dead_letter.max_files,
    },
    buffer: {
      type: bufferType,
      data_dir: file(buffer.data_dir ?? join(ctx.stateDir, d.buffer.dir_name)),
      fsync: buffer.fsync ?? d.buffer.fsync,
      fsync_interval_ms: duration(
        ['buffer', 'fsync_interval'],
        buffer.fsync_interval,
        d.buffer.fsync_interval_ms,
        1,
      ),
      max_bytes: size(
        ['buffer', 'max_bytes'],
        buffer.max_bytes,
        bufferType === 'memory' ? d.buffer.memory_max_bytes : d.buffer.max_bytes,
        1,
      ),
      segment_bytes: size(['buffer', 'segment_bytes'], buffer.segment_bytes, d.buffer.segment_bytes, 1),
      when_full: buffer.when_full ?? d.buffer.when_full,
      new_sink_start: buffer.new_sink_start ?? d.buffer.new_sink_start,
    },
    shutdown_timeout_ms: duration(['shutdown_timeout'], raw.shutdown_timeout, d.shutdown_timeout_ms),
    log: {
      level: log.level ?? d.log.level,
      format: log.format ?? d.log.format,
      progress_interval_ms: duration(
        ['log', 'progress_interval'],
        log.progress_interval,
        d.log.progress_interval_ms,
      ),
    },
    metrics: {
      ...(metrics.address !== undefined ? { address: metrics.address } : {}),
      auth_failure_unready_ms: duration(
        ['metrics', 'auth_failure_unready'],
        metrics.auth_failure_unready,
        d.metrics.auth_failure_unready_ms,
        1,
      ),
    },
    sinks,
    origin: ctx.origin,
  };
}
