/**
 * Cross-checks on the whole Config: settings that are each valid but cannot work together.
 * Runs after normalization, so it compares real numbers (bytes, ms), not spellings.
 */
import { checkSink, type Report } from './check-sink.js';
import type { RawConfig } from './file-schema.js';
import { inputKind } from './input-kinds.js';
import { formatSize } from './units.js';
import type { Config } from './types.js';

function checkAddress(address: string): string | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]*):(\d{1,5})$/.exec(address);
  if (!match)
    return 'must be host:port, e.g. 127.0.0.1:9431 or [::1]:9431 (":9431" listens on every interface)';
  return Number(match[2]) > 65535 ? 'has a port above 65535' : undefined;
}

export function checkConfig(config: Config, raw: RawConfig, report: Report): void {
  const stdoutSinks = config.sinks.filter((s) => s.type === 'stdout');
  for (const sink of stdoutSinks) {
    if (config.input.passthrough) {
      report(
        ['sinks', sink.name],
        'a stdout sink cannot be used with input.passthrough: both write to stdout',
        'drop one of them',
      );
    }
  }
  if (stdoutSinks.length > 1) {
    report(
      ['sinks', stdoutSinks[1]?.name ?? ''],
      `is a second stdout sink (after "${stdoutSinks[0]?.name ?? ''}")`,
      'keep one: both would write to the same stdout',
    );
  }
  for (const sink of config.sinks) checkSink(sink, raw.sinks?.[sink.name], report);
  for (const input of config.inputs) inputKind(input.type).check?.(input, raw.inputs?.[input.name], report);
  const stdinInputs = config.inputs.filter((i) => i.type === 'stdin');
  if (stdinInputs.length > 1) {
    report(
      ['inputs', stdinInputs[1]?.name ?? ''],
      `is a second stdin input (after "${stdinInputs[0]?.name ?? ''}")`,
      'keep one: both would read the same standard input',
    );
  }

  const { buffer, input } = config;
  if (input.passthrough && !config.inputs.some((i) => i.type === 'stdin')) {
    report(
      ['input', 'passthrough'],
      'copies standard input to stdout, and no stdin input is configured',
      'add an input of type stdin, or drop passthrough',
    );
  }
  for (const fileInput of config.inputs.filter((i) => i.type === 'file')) {
    if (buffer.type !== 'memory') continue;
    report(
      ['inputs', fileInput.name],
      'a file input needs buffer.type: disk: its positions are committed once lines are in the journal, so with a memory journal a crash would lose lines whose positions were already saved',
      'set buffer.type: disk (--buffer disk); with only a stdout sink the buffer defaults to memory',
    );
  }
  if (buffer.type === 'disk' && buffer.segment_bytes > buffer.max_bytes) {
    report(
      ['buffer', 'segment_bytes'],
      `(${formatSize(buffer.segment_bytes)}) is larger than buffer.max_bytes (${formatSize(buffer.max_bytes)})`,
    );
  }
  if (buffer.type === 'disk' && buffer.segment_bytes <= input.max_line_bytes) {
    report(
      ['buffer', 'segment_bytes'],
      `(${formatSize(buffer.segment_bytes)}) must be larger than input.max_line_bytes (${formatSize(input.max_line_bytes)})`,
      'a journal record must fit in one segment',
    );
  }
  if (config.metrics.address !== undefined) {
    const bad = checkAddress(config.metrics.address);
    if (bad) report(['metrics', 'address'], bad);
  }
}
