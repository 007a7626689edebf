/**
 * One `GET /` at startup, so the operator sees at once which cluster the sink talks to (name,
 * Elasticsearch or OpenSearch, version) or that its credentials are refused. `GET /` needs the
 * `monitor` cluster privilege, which a least-privilege writing key does not have: a 403 here says
 * exactly that, never "bad credentials" (401 is the one that means those).
 *
 * Never throws and never blocks delivery: events are journaled and retried whatever this finds.
 * Never logs the URL (it may carry a path with secrets) or the reply body of an auth failure.
 * Says nothing when the check was cut short by us (shutdown, or the sink closing its transport
 * because there was nothing to deliver): that is no news about the cluster.
 * `readClusterRoot` is the one reading of that reply, shared with `--check-config --online`.
 */
import type { HttpReply } from '../../contract/outcome.js';
import type { Logger } from '../../observe/logger.js';
import { replyObject } from '../reply-json.js';
import type { SinkRequest, Transport } from '../../contract/sink.js';

/** `GET /`, the root API: the cluster banner. Needs the `monitor` cluster privilege. */
export const CLUSTER_ROOT_REQUEST: SinkRequest = Object.freeze({
  path: '/',
  method: 'GET',
  headers: {},
  body: new Uint8Array(0),
});

/** Why a 403 on `GET /` is no proof of bad credentials; shared with `--check-config --online`. */
export const NO_MONITOR_PRIVILEGE =
  'they lack the "monitor" cluster privilege, which only the startup check needs (writing needs "create_doc" on the index)';

/** undici's codes for a request whose client we destroyed or closed ourselves. */
const CLOSED_BY_US = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED']);

export interface ClusterInfo {
  readonly clusterName?: string;
  readonly distribution: 'elasticsearch' | 'opensearch';
  readonly version?: string;
}

/** What a reply to `GET /` says about the sink's cluster and credentials. */
export type ClusterRoot =
  | { readonly kind: 'unreachable'; readonly code: string }
  | { readonly kind: 'timeout'; readonly afterMs: number }
  /** 401: the credentials are refused. */
  | { readonly kind: 'credentials_refused' }
  /** 403: the credentials are accepted but lack `monitor` (NO_MONITOR_PRIVILEGE). */
  | { readonly kind: 'no_monitor' }
  | { readonly kind: 'unexpected'; readonly status: number }
  | { readonly kind: 'cluster'; readonly info: ClusterInfo };

export function readClusterRoot(reply: HttpReply): ClusterRoot {
  if (reply.kind === 'network_error') return { kind: 'unreachable', code: reply.code };
  if (reply.kind === 'timeout') return { kind: 'timeout', afterMs: reply.afterMs };
  if (reply.status === 401) return { kind: 'credentials_refused' };
  if (reply.status === 403) return { kind: 'no_monitor' };
  const info = reply.status >= 200 && reply.status < 300 ? parseClusterInfo(reply.body) : undefined;
  return info ? { kind: 'cluster', info } : { kind: 'unexpected', status: reply.status };
}

/** "Elasticsearch 8.15.0" / "OpenSearch 2.15.0". */
export function productName(info: ClusterInfo): string {
  const product = info.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  return `${product} ${info.version ?? '(unknown version)'}`;
}

export async function checkCluster(
  transport: Transport,
  logger: Logger,
  signal: AbortSignal,
  sinkName = 'elasticsearch',
): Promise<void> {
  const sink = `elasticsearch sink "${sinkName}"`;
  let reply: HttpReply;
  try {
    reply = await transport.send(CLUSTER_ROOT_REQUEST, signal);
  } catch (error) {
    // Only an abort (shutdown) gets here; nothing to report.
    logger.debug('cluster check stopped', { sink: sinkName, error: String(error) });
    return;
  }
  if (reply.kind === 'network_error' && CLOSED_BY_US.has(reply.code)) {
    logger.debug('cluster check stopped: the sink closed first', { sink: sinkName });
    return;
  }
  const root = readClusterRoot(reply);
  const status = reply.kind === 'response' ? reply.status : undefined;
  switch (root.kind) {
    case 'unreachable':
      // The message says what went wrong in words (e.g. "does not speak TLS: use http://").
      logger.warn(`cannot reach ${sink} (${root.code}); events are kept and retried`, {
        sink: sinkName,
        ...(reply.kind === 'network_error' ? { error: reply.message } : {}),
      });
      return;
    case 'timeout':
      logger.warn(`${sink} did not answer within ${root.afterMs} ms; events are kept and retried`, {
        sink: sinkName,
      });
      return;
    case 'credentials_refused':
      logger.warn(`credentials rejected by ${sink}; events are kept and retried`, { sink: sinkName, status });
      return;
    case 'no_monitor':
      logger.warn(
        `${sink} accepted the credentials but refused GET / (403): ${NO_MONITOR_PRIVILEGE}; ` +
          'delivery is not affected; grant "monitor" or set startup_check: false',
        { sink: sinkName, status },
      );
      return;
    case 'unexpected':
      logger.warn(
        `unexpected reply from ${sink} to GET / (HTTP ${root.status}); events are kept and retried`,
        {
          sink: sinkName,
          status,
        },
      );
      return;
    case 'cluster':
      logger.info(`${sink} connected to ${productName(root.info)}`, {
        sink: sinkName,
        cluster_name: root.info.clusterName,
        distribution: root.info.distribution,
        version: root.info.version,
      });
  }
}

/** The `GET /` banner of Elasticsearch or OpenSearch; undefined when the body is not one. */
export function parseClusterInfo(body: string): ClusterInfo | undefined {
  const parsed = replyObject(body);
  if (!parsed) return undefined;
  const root = parsed as { cluster_name?: unknown; version?: { number?: unknown; distribution?: unknown } };
  if (!root.version || typeof root.version !== 'object') return undefined;
  const info: { clusterName?: string; distribution: ClusterInfo['distribution']; version?: string } = {
    distribution: root.version.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch',
  };
  if (typeof root.cluster_name === 'string') info.clusterName = root.cluster_name;
  if (typeof root.version.number === 'string') info.version = root.version.number;
  return info;
}
