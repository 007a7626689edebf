/**
 * The human summary printed by --check-config: what would run, where events would go, with which
 * limits. Secrets are never printed, only whether one is set ("[redacted]") or read from a file.
 */
import { inputKind } from './input-kinds.js';
import { REDACTED } from './redact.js';
import { sinkKind } from './sink-kinds.js';
import type { AuthConfig, Config, SinkConfig } from './types.js';
import { formatDuration as d, formatSize as b } from './units.js';

/** How a sink authenticates, secrets shown only as set or read from a file (the sinks' lines use it). */
export function describeAuth(auth: AuthConfig): string {
  if (auth.username !== undefined) {
    return `basic (user ${auth.username}, password ${auth.password_file ? `from ${auth.password_file}` : REDACTED})`;
  }
  if (auth.bearer_token !== undefined) return `bearer token ${REDACTED}`;
  if (auth.bearer_token_file !== undefined) return `bearer token from ${auth.bearer_token_file}`;
  if (auth.api_key !== undefined) return `API key ${REDACTED}`;
  if (auth.api_key_file !== undefined) return `API key from ${auth.api_key_file}`;
  return 'none';
}

function describeSink(sink: SinkConfig): string[] {
  const limits = `batch up to ${sink.batch.max_events} events / ${b(sink.batch.max_bytes)} / ${d(sink.batch.max_wait_ms)}; ${sink.max_in_flight} in flight; backoff ${d(sink.retry.initial_backoff_ms)}..${d(sink.retry.max_backoff_ms)} (${d(Math.min(sink.retry.max_network_backoff_ms, sink.retry.max_backoff_ms))} when the receiver is unreachable), never gives up`;
  if (sink.type === 'stdout') return [`${sink.name} [stdout] NDJSON on standard output`, limits];
  const tls = sink.tls.insecure_skip_verify
    ? 'NOT VERIFIED'
    : sink.tls.ca_file
      ? `verified with ${sink.tls.ca_file}`
      : 'verified';
  const headers = Object.keys(sink.headers);
  const transport = `timeout ${d(sink.timeout_ms)}; gzip ${sink.gzip ? 'on' : 'off'}; TLS ${tls}${headers.length ? `; extra headers ${headers.join(', ')} (values ${REDACTED})` : ''}`;
  const lines = [`${sink.name} [${sink.type}] ${sink.url}`, ...(sinkKind(sink.type).describe?.(sink) ?? [])];
  return [...lines, transport, limits];
}

export function describeConfig(config: Config): string {
  const { input, audit, buffer, log, metrics } = config;
  const fsync = buffer.fsync === 'interval' ? `every ${d(buffer.fsync_interval_ms)}` : buffer.fsync;
  const out = [
    `wirety-ship: configuration is valid (from ${config.origin})`,
    '',
    `input        ${config.inputs.map((i) => (i.name === i.type ? i.type : `${i.name} (${i.type})`)).join(', ')}; lines over ${b(input.max_line_bytes)} or nested over ${input.max_depth} levels are dead-lettered; passthrough ${input.passthrough ? 'on (every line copied to stdout)' : 'off'}`,
    ...config.inputs.flatMap((i) =>
      (inputKind(i.type).describe?.(i) ?? []).map((line) => `  ${i.name}: ${line}`),
    ),
    `audit        unknown actions: ${audit.unknown_actions}; lines that are not JSON: ${audit.not_json}`,
    `dead letter  ${config.dead_letter.path} (rotated at ${b(config.dead_letter.max_bytes)}, ${config.dead_letter.max_files === 0 ? 'all' : config.dead_letter.max_files} rotated files kept)`,
    buffer.type === 'disk'
      ? `buffer       disk journal in ${buffer.data_dir}; fsync ${fsync}; at most ${b(buffer.max_bytes)} in ${b(buffer.segment_bytes)} segments; when full: ${buffer.when_full}; new sinks start at ${buffer.new_sink_start}`
      : `buffer       memory (events not yet delivered are LOST on a crash); at most ${b(buffer.max_bytes)}; when full: ${buffer.when_full}`,
    `shutdown     on SIGTERM/SIGINT, flush for up to ${d(config.shutdown_timeout_ms)}`,
    `log          level ${log.level}; format ${log.format}; progress ${log.progress_interval_ms > 0 ? `every ${d(log.progress_interval_ms)}` : 'only at exit'}`,
    `metrics      ${metrics.address ? `${metrics.address} (/metrics, /healthz, /readyz; unready after ${d(metrics.auth_failure_unready_ms)} of auth failures)` : 'off'}`,
  ];
  if (config.sinks.length === 0) {
    out.push(
      'sinks        none: passthrough mode, lines are validated, counted and copied to stdout; nothing is shipped',
    );
  } else {
    out.push(`sinks        ${config.sinks.length}`);
    for (const sink of config.sinks) {
      const [head, ...rest] = describeSink(sink);
      out.push(`  ${head ?? ''}`, ...rest.map((line) => `      ${line}`));
    }
  }
  const insecure = config.sinks
    .filter((s) => s.type !== 'stdout' && s.tls.insecure_skip_verify)
    .map((s) => s.name);
  if (insecure.length > 0) {
    out.push(
      '',
      `WARNING: TLS certificate verification is OFF for ${insecure.join(', ')}: anyone on the network path can read and change the audit events.`,
    );
  }
  if (buffer.type === 'memory')
    out.push('', 'WARNING: buffer.type is memory: events not yet delivered are lost if wirety-ship crashes.');
  return out.join('\n') + '\n';
}
