/**
 * Built-in defaults (durations in ms, sizes in bytes), the lowest layer of the configuration,
 * derived from the declarations (file-schema.ts, sink-shared.ts, each sink's config.ts): a default
 * is written once, beside its key, and docs/config.md is generated from the same place.
 *
 * Sink settings resolve per key: the sink's own block, then the file's `defaults:` block, then the
 * sink type's defaults (src/sinks/<kind>/config.ts `typeDefaults`: the receivers' limits differ).
 */
import { isAbsolute, join } from 'node:path';
import { fileSchema } from './file-schema.js';
import type { Env } from './interpolate.js';
import { defaultsOf } from './normalize-block.js';
import type { AuditConfig, InputConfig, LogConfig, RetryConfig } from './types.js';

const MiB = 1024 * 1024;
const declared = defaultsOf(fileSchema) as Record<string, Record<string, unknown>>;
const sinkDefaults = declared.defaults as { retry: RetryConfig; timeout_ms: number; gzip: boolean };

export const DEFAULTS = {
  input: declared.input as unknown as InputConfig,
  audit: declared.audit as unknown as AuditConfig,
  // The default path is `dead-letter.ndjson` in the state directory (stateDirectory below).
  dead_letter: {
    ...(declared.dead_letter as { max_bytes: number; max_files: number }),
    file_name: 'dead-letter.ndjson',
  },
  buffer: {
    ...(declared.buffer as { type: 'disk' | 'memory'; max_bytes: number }),
    // The default data_dir is `journal` in the state directory (stateDirectory below).
    dir_name: 'journal',
    // buffer: memory holds parsed events on the heap (several times their line size), so its
    // default cap is small: backpressure keeps RSS flat instead of buffering an outage in RAM.
    memory_max_bytes: 16 * MiB,
  },
  shutdown_timeout_ms: declared.shutdown_timeout_ms as unknown as number,
  log: declared.log as unknown as LogConfig,
  metrics: declared.metrics as { auth_failure_unready_ms: number },
  // A refused connection costs the receiver nothing, so probe often: a receiver back from an
  // outage gets its first attempt within 10 s, however long the outage was (sink-shared.ts).
  retry: sinkDefaults.retry,
  timeout_ms: sinkDefaults.timeout_ms,
  gzip: sinkDefaults.gzip,
} as const;

/**
 * Where the journal and the dead-letter file go when the configuration does not say: one absolute
 * place per user, so the journal a run resumes never depends on the directory a command was typed
 * in, and two runs on one machine meet at the journal lock instead of silently keeping two
 * journals. `$XDG_STATE_HOME/wirety-ship` when that is set (absolute, as the XDG spec requires; the
 * Docker image sets it to /var/lib), else `/var/lib/wirety-ship` for root, else
 * `~/.local/state/wirety-ship` (the XDG default).
 */
export function stateDirectory(
  env: Env,
  user: { readonly uid?: number; readonly home: string },
): {
  readonly dir: string;
  readonly why: string;
} {
  const xdg = env.XDG_STATE_HOME;
  if (xdg !== undefined && isAbsolute(xdg))
    return { dir: join(xdg, 'wirety-ship'), why: 'from XDG_STATE_HOME' };
  if (user.uid === 0) return { dir: '/var/lib/wirety-ship', why: 'running as root' };
  return { dir: join(user.home, '.local', 'state', 'wirety-ship'), why: "this user's ~/.local/state" };
}

/** The sink used when no sink is configured at all (and passthrough is off). */
export const DEFAULT_SINK_NAME = 'stdout';
