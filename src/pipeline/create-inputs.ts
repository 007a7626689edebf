/**
 * The configured inputs (config.inputs) → running `Input`s (sources/input.ts), each with its own
 * counters in stats.inputs. A Forward listener is bound here, before ingest starts, so a port
 * that is taken fails the start (exit 74) and the bound address (port 0) is logged.
 *
 * Invariants:
 * - A file input keeps its positions in `<buffer.data_dir>/positions/<input name>.json`: beside
 *   the journal it is committed against (the journal ignores subdirectories it does not own).
 *   config/checks.ts refuses a file input with a memory buffer.
 * - A Forward input with a memory buffer acks what a crash can still lose: warned at start.
 * - Secrets (the Forward shared key) are read here and never logged.
 * - A failed start closes the inputs already created.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config, FileInputSpec, ForwardInputSpec, InputSpec } from '../config/types.js';
import type { Logger } from '../observe/logger.js';
import type { InputStats, Stats } from '../observe/stats.js';
import type { Input } from '../sources/input.js';
import { createStdinInput } from '../sources/stdin/stdin-input.js';

export interface InputDeps {
  readonly stdin: AsyncIterable<Buffer | string>;
  /** Copies a stdin chunk to stdout (input.passthrough). */
  readonly passthrough?: (chunk: Buffer) => Promise<unknown>;
  readonly stats: Stats;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The node name added to file lines' Kubernetes metadata (NODE_NAME, from the downward API). */
  readonly nodeName?: string;
}

export interface RunningInput {
  readonly input: Input;
  readonly stats: InputStats;
}

export function positionsPath(config: Config, name: string): string {
  return join(config.buffer.data_dir, 'positions', `${name}.json`);
}

export async function createInputs(config: Config, deps: InputDeps): Promise<RunningInput[]> {
  const running: RunningInput[] = [];
  try {
    for (const spec of config.inputs) running.push(await createOne(spec, config, deps));
  } catch (error) {
    await Promise.all(running.map((r) => r.input.close().catch(() => undefined)));
    throw error;
  }
  for (const { input, stats } of running) deps.stats.inputs.set(input.name, stats);
  return running;
}

async function createOne(spec: InputSpec, config: Config, deps: InputDeps): Promise<RunningInput> {
  const { logger, clock } = deps;
  const maxLineBytes = config.input.max_line_bytes;
  switch (spec.type) {
    case 'stdin':
      return {
        input: createStdinInput({
          name: spec.name,
          stream: deps.stdin,
          maxLineBytes,
          onBytes: (n) => (deps.stats.inputBytes += n),
          ...(deps.passthrough ? { passthrough: deps.passthrough } : {}),
        }),
        stats: { type: 'stdin', linesRead: 0 },
      };
    case 'file':
      return createFile(spec, config, deps, maxLineBytes);
    case 'forward': {
      // Loaded only when configured, like the file input: a stdin-only start skips msgpack and the globber.
      const { createForwardInput } = await import('../sources/forward/index.js');
      const input = createForwardInput({
        name: spec.name,
        address: spec.address,
        ...(spec.tls.cert_file !== undefined && spec.tls.key_file !== undefined
          ? {
              tls: {
                cert_file: spec.tls.cert_file,
                key_file: spec.tls.key_file,
                ...(spec.tls.client_ca_file !== undefined ? { client_ca_file: spec.tls.client_ca_file } : {}),
              },
            }
          : {}),
        ...(await sharedKey(spec)),
        self_hostname: spec.self_hostname,
        streams: spec.streams,
        line_key: spec.line_key,
        max_request_bytes: spec.max_request_bytes,
        max_connections: spec.max_connections,
        idle_timeout: spec.idle_timeout_ms,
        partial_timeout: spec.partial_timeout_ms,
        max_line_bytes: maxLineBytes,
        clock,
        logger,
      });
      try {
        const bound = await input.listen();
        logger.info('forward input listening', {
          input: spec.name,
          address: bound.kind === 'tcp' ? `${bound.host}:${bound.port}` : `unix://${bound.path}`,
          tls: spec.tls.cert_file !== undefined,
          shared_key: spec.shared_key !== undefined || spec.shared_key_file !== undefined,
        });
      } catch (error) {
        await input.close().catch(() => undefined);
        throw error;
      }
      if (config.buffer.type === 'memory') {
        logger.warn(
          'forward input with buffer.type memory: requests are acked once in memory, so a crash loses acked events the client will not re-send',
          { input: spec.name, hint: 'set buffer.type: disk for acks that survive a crash' },
        );
      }
      const c = input.counters;
      return {
        input,
        stats: {
          type: 'forward',
          linesRead: 0,
          forward: () => ({
            connections: c.connections,
            requests: c.requests,
            acks: c.acks,
            protocol_errors: c.protocol_errors,
          }),
        },
      };
    }
  }
}

async function createFile(
  spec: FileInputSpec,
  config: Config,
  deps: InputDeps,
  maxLineBytes: number,
): Promise<RunningInput> {
  const [{ createFileInput }, { DEFAULT_EXCLUDE }] = await Promise.all([
    import('../sources/files/file-input.js'),
    import('../sources/files/discover-files.js'),
  ]);
  const input = createFileInput({
    name: spec.name,
    include: spec.include,
    // Compressed and half-written rotated files are never read, whatever `exclude` says.
    exclude: [...DEFAULT_EXCLUDE, ...spec.exclude],
    format: spec.format,
    streams: spec.streams,
    read_from: spec.read_from,
    max_open_files: spec.max_open_files,
    glob_interval: spec.glob_interval_ms,
    max_line_bytes: maxLineBytes,
    positionsPath: positionsPath(config, spec.name),
    ...(deps.nodeName ? { node: deps.nodeName } : {}),
    clock: deps.clock,
    logger: deps.logger,
  });
  return { input, stats: { type: 'file', linesRead: 0, openFiles: () => input.openFiles() } };
}

/** The key from the file or the variable (config/check-files.ts has checked the file is readable). */
async function sharedKey(spec: ForwardInputSpec): Promise<{ shared_key?: string }> {
  if (spec.shared_key !== undefined) return { shared_key: spec.shared_key };
  if (spec.shared_key_file === undefined) return {};
  const text = await readFile(spec.shared_key_file, 'utf8');
  return { shared_key: text.replace(/[\r\n]+$/, '') };
}
