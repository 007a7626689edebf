/**
 * Splunk HEC, checked without sending an event (PROTOCOLS.md §3; Splunk's HEC reply codes):
 * 1. `GET /services/collector/health`: 200 code 17 "HEC is healthy"; 503 codes 18–20 (queues
 *    full, ack service unavailable) are a failure. Another answer leaves health "not checked".
 * 2. `POST /services/collector/event` with an empty body, the sink's token, channel and headers
 *    (its codec encodes it). HEC checks the token first (codes 1–4, 21, 22 refuse it), then answers
 *    400 code 5 "No data": the token is accepted and nothing is indexed (AWS Firehose tests HEC the
 *    same way).
 * 3. The token's indexer acknowledgement, by probeAckMode (one poll on a fresh channel), against
 *    `ack.enabled`: on the token but off here is a note; configured but off on the token (or the
 *    ack endpoint refused) is a failure under `ack.required`, else a warning that events will be
 *    counted on HEC's 200.
 * The index (code 7) is checked by HEC only on a real event: "not checked".
 */
import type { SplunkHecSinkConfig } from '../config/types.js';
import { parseHecReplyBody } from '../sinks/splunk-hec/classify.js';
import { createSplunkHecCodec, newChannelId, probeAckMode } from '../sinks/splunk-hec/index.js';
import type { Transport } from '../contract/sink.js';
import type { Findings } from './findings.js';
import { getRequest, httpStatus, type Answer, type ProbeSession } from './probe-session.js';

const HEALTHY = 17;
const NO_DATA = 5;
const TOKEN_REFUSED = new Set([1, 2, 3, 4, 16, 21, 22]);

export async function probeSplunkHec(
  config: SplunkHecSinkConfig,
  session: ProbeSession,
  transport: Transport,
  signal: AbortSignal,
): Promise<void> {
  const { findings } = session;
  const health = await session.send(getRequest('/services/collector/health'));
  if (!health) return;
  const healthCode = parseHecReplyBody(health.body)?.code;
  if (healthCode === HEALTHY) findings.ok('healthy');
  else if (health.status === 503) findings.fail(`unhealthy (${hecText(health)})`);
  else findings.ok(`health not checked (${hecText(health)})`);

  const empty = createSplunkHecCodec(config, { channel: newChannelId() }).encode([]);
  const answer = await session.send(empty);
  if (!answer || !tokenAccepted(answer, findings)) return;

  const found = await probeAckMode(transport, signal);
  if (!config.ack.enabled) {
    findings.ok(
      found.ack === 'on'
        ? 'ack: off here, on for the token (ack.enabled would confirm each batch)'
        : 'ack: off (as configured)',
    );
  } else if (found.ack === 'on') {
    findings.ok('ack: on (the token confirms indexing)');
  } else if (found.ack === 'unknown') {
    findings.warn(`ack: configured, the token's mode is unknown (${found.reason})`);
  } else {
    const what =
      found.ack === 'off'
        ? `the token has indexer acknowledgement off (${found.reason})`
        : `the ack endpoint refuses polls (${found.reason})`;
    if (config.ack.required) {
      findings.fail(`ack: required, but ${what}: the sink would be blocked; enable useACK on the token`);
    } else {
      findings.warn(
        `ack: configured, but ${what}: events will be counted on HEC's 200; enable useACK on the token for end-to-end confirmation`,
      );
    }
  }
  if (config.index !== undefined) {
    findings.ok(`index ${config.index}: not checked (HEC checks it only on an event)`);
  }
}

/** Records what the empty post showed; true when the token was accepted. */
function tokenAccepted(answer: Answer, findings: Findings): boolean {
  const code = parseHecReplyBody(answer.body)?.code;
  if (code === NO_DATA || (code === 0 && answer.status >= 200 && answer.status < 300)) {
    findings.ok('token accepted');
    return true;
  }
  if ((code !== undefined && TOKEN_REFUSED.has(code)) || answer.status === 401 || answer.status === 403) {
    findings.fail(`token refused (${hecText(answer)})`);
  } else if (code === undefined && (answer.status === 404 || answer.status === 405)) {
    findings.fail(
      `no HEC event endpoint here (${httpStatus(answer)}): give the base URL, e.g. https://splunk:8088`,
    );
  } else if (answer.status === 429 || answer.status >= 500) {
    findings.fail(`HEC is unavailable (${hecText(answer)})`);
  } else {
    findings.fail(`an empty event post was refused (${hecText(answer)})`);
  }
  return false;
}

/** "HEC code 4: Invalid token (HTTP 403)", or the status and body when the reply is not HEC's. */
function hecText(answer: Answer): string {
  const hec = parseHecReplyBody(answer.body);
  return hec ? `HEC code ${hec.code}: ${hec.text} (HTTP ${answer.status})` : httpStatus(answer);
}
