/**
 * The human summary printed by --check-config: what would run, where events would go, with which
 * limits. Secrets are never printed, only whether one is set ("[redacted]") or read from a file.
 *
 * The global lines are declared beside their blocks and keys (`summary` in file-schema.ts), in
 * the file's order; each sink's own line beside the sink (its config.ts `describe`). What is left
 * here is what no one key owns: the sinks' shared transport and limits, and the TLS warning.
 */
import { declared, isBlock, SUMMARY, type SummaryContext, type SummaryLine } from './declare.js';
import { fileSchema } from './file-schema.js';
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

/** The first column of the summary: labels are padded to this width. */
const LABEL_WIDTH = 13;

/** The declared lines of the global blocks and keys, in the file's order, and their warnings. */
function globalLines(config: Config): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  const context: SummaryContext = { inputs: config.inputs };
  const values = config as unknown as Readonly<Record<string, unknown>>;
  for (const [key, schema] of Object.entries(fileSchema.properties)) {
    const summary = (schema as { [SUMMARY]?: SummaryLine<unknown> })[SUMMARY];
    if (summary === undefined) continue;
    // The normalised value, named as normalize-block.ts names it (a duration `x` is `x_ms`).
    const value = values[!isBlock(schema) && declared(schema).title === 'duration' ? `${key}_ms` : key];
    lines.push(`${summary.label.padEnd(LABEL_WIDTH)}${summary.line(value, context)}`);
    // Each input's own settings (a file input's globs, a listener's address) follow the input line.
    if (key === 'input') {
      for (const i of config.inputs) {
        for (const line of inputKind(i.type).describe?.(i) ?? []) lines.push(`  ${i.name}: ${line}`);
      }
    }
    const warning = summary.warning?.(value);
    if (warning !== undefined) warnings.push(warning);
  }
  return { lines, warnings };
}

export function describeConfig(config: Config): string {
  const global = globalLines(config);
  const out = [`wirety-ship: configuration is valid (from ${config.origin})`, '', ...global.lines];
  if (config.sinks.length === 0) {
    out.push(
      `${'sinks'.padEnd(LABEL_WIDTH)}none: passthrough mode, lines are validated, counted and copied to stdout; nothing is shipped`,
    );
  } else {
    out.push(`${'sinks'.padEnd(LABEL_WIDTH)}${config.sinks.length}`);
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
  for (const warning of global.warnings) out.push('', warning);
  return out.join('\n') + '\n';
}
