/**
 * `--check-config --online` (the anchors: `vector validate`, `filebeat test output`): each
 * configured sink is asked whether a run would work, with requests its receiver stores nothing
 * for, and gets one verdict. Sinks are probed side by side.
 *
 * Invariants:
 * - Each HTTP sink is probed through a transport built from the sink's own settings
 *   (sinkTransportOptions, createSinkCredentials): the TLS, credentials, extra headers and tenant
 *   of a run. Only the timeout is bounded: the sink's own, at most MAX_CHECK_TIMEOUT_MS a request.
 * - Nothing is written: no journal, data dir or dead-letter file is opened, and no event is sent.
 * - A sink's problem never throws: an unreadable secret or CA file is that sink's failure.
 */
import type { Config, SinkConfig } from '../config/types.js';
import { createHttpTransport } from '../transport/http-transport.js';
import { createSinkCredentials, sinkTransportOptions, type HttpSinkConfig } from '../sinks/create-sink.js';
import type { Transport } from '../contract/sink.js';
import { createFindings, type Findings, type SinkVerdict } from './findings.js';
import { probeElasticsearch } from './probe-elasticsearch.js';
import { probeLoki } from './probe-loki.js';
import { createProbeSession } from './probe-session.js';
import { probeSplunkHec } from './probe-splunk-hec.js';
import { checkExitCode, formatReport } from './report.js';

export const MAX_CHECK_TIMEOUT_MS = 10_000;

export interface OnlineCheckOptions {
  /** Now, in ms since the epoch: which daily index Elasticsearch is asked about. */
  readonly nowMs: number;
  readonly signal?: AbortSignal;
}

/** The printed report and the exit code (0, or report.ts's EXIT_CHECK_FAILED). */
export async function runOnlineCheck(
  config: Config,
  options: OnlineCheckOptions,
): Promise<{ readonly text: string; readonly exitCode: number }> {
  const verdicts = await checkSinksOnline(config.sinks, options);
  return { text: formatReport(verdicts), exitCode: checkExitCode(verdicts) };
}

export function checkSinksOnline(
  sinks: readonly SinkConfig[],
  options: OnlineCheckOptions,
): Promise<SinkVerdict[]> {
  return Promise.all(sinks.map((sink) => checkSink(sink, options)));
}

async function checkSink(config: SinkConfig, options: OnlineCheckOptions): Promise<SinkVerdict> {
  if (config.type === 'stdout') {
    return { name: config.name, findings: [{ status: 'ok', text: 'nothing to check' }] };
  }
  const findings = createFindings();
  const verdict = { name: config.name, target: config.url, findings: findings.list };
  let transport: Transport;
  try {
    transport = createHttpTransport({
      ...sinkTransportOptions(config, createSinkCredentials(config)),
      timeoutMs: Math.min(config.timeout_ms, MAX_CHECK_TIMEOUT_MS),
      connections: 1,
    });
  } catch (error) {
    // Names a file and an error code, never a secret (credentials.ts, http-transport.ts).
    findings.fail(`cannot start: ${(error as Error).message}`);
    return verdict;
  }
  const signal = options.signal ?? new AbortController().signal;
  try {
    await probe(config, transport, signal, options.nowMs, findings);
  } finally {
    await transport.close();
  }
  return verdict;
}

function probe(
  config: HttpSinkConfig,
  transport: Transport,
  signal: AbortSignal,
  nowMs: number,
  findings: Findings,
): Promise<void> {
  const session = createProbeSession(config, transport, signal, findings);
  switch (config.type) {
    case 'loki':
      return probeLoki(config, session);
    case 'elasticsearch':
      return probeElasticsearch(config, session, nowMs);
    case 'splunk_hec':
      return probeSplunkHec(config, session, transport, signal);
  }
}
