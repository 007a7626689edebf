/**
 * One `GET /` at startup, so the operator sees at once which cluster the sink talks to (name,
 * Elasticsearch or OpenSearch, version) or that its credentials are refused. `GET /` needs the
 * `monitor` cluster privilege, which a least-privilege writing key does not have: a 403 here says
 * exactly that, never "bad credentials" (401 is the one that means those).
 *
 * Never throws and never blocks delivery: events are journaled and retried whatever this finds.
 * Never logs the URL (it may carry a path with secrets) or the reply body of an auth failure.
 */
import type { HttpReply } from '../../deliver/outcome.js';
import type { Logger } from '../../observe/logger.js';
import type { SinkRequest, Transport } from '../sink.js';

const ROOT: SinkRequest = Object.freeze({ path: '/', method: 'GET', headers: {}, body: new Uint8Array(0) });

export interface ClusterInfo {
  readonly clusterName?: string;
  readonly distribution: 'elasticsearch' | 'opensearch';
  readonly version?: string;
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
    reply = await transport.send(ROOT, signal);
  } catch (error) {
    // Only an abort (shutdown) gets here; nothing to report.
    logger.debug('cluster check stopped', { sink: sinkName, error: String(error) });
    return;
  }
  if (reply.kind === 'network_error') {
    // The message says what went wrong in words (e.g. "does not speak TLS: use http://").
    logger.warn(`cannot reach ${sink} (${reply.code}); events are kept and retried`, {
      sink: sinkName,
      error: reply.message,
    });
    return;
  }
  if (reply.kind === 'timeout') {
    logger.warn(`${sink} did not answer within ${reply.afterMs} ms; events are kept and retried`, {
      sink: sinkName,
    });
    return;
  }
  if (reply.status === 401) {
    logger.warn(`credentials rejected by ${sink}; events are kept and retried`, {
      sink: sinkName,
      status: reply.status,
    });
    return;
  }
  if (reply.status === 403) {
    logger.warn(
      `${sink} accepted the credentials but refused GET / (403): they lack the "monitor" cluster ` +
        'privilege, which only this startup check needs (writing needs "create_doc" on the index); ' +
        'delivery is not affected; grant "monitor" or set startup_check: false',
      { sink: sinkName, status: reply.status },
    );
    return;
  }
  const info = reply.status >= 200 && reply.status < 300 ? parseClusterInfo(reply.body) : undefined;
  if (!info) {
    logger.warn(
      `unexpected reply from ${sink} to GET / (HTTP ${reply.status}); events are kept and retried`,
      {
        sink: sinkName,
        status: reply.status,
      },
    );
    return;
  }
  const product = info.distribution === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  logger.info(`${sink} connected to ${product} ${info.version ?? '(unknown version)'}`, {
    sink: sinkName,
    cluster_name: info.clusterName,
    distribution: info.distribution,
    version: info.version,
  });
}

/** The `GET /` banner of Elasticsearch or OpenSearch; undefined when the body is not one. */
export function parseClusterInfo(body: string): ClusterInfo | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const root = parsed as { cluster_name?: unknown; version?: { number?: unknown; distribution?: unknown } };
  if (!root.version || typeof root.version !== 'object') return undefined;
  const info: { clusterName?: string; distribution: ClusterInfo['distribution']; version?: string } = {
    distribution: root.version.distribution === 'opensearch' ? 'opensearch' : 'elasticsearch',
  };
  if (typeof root.cluster_name === 'string') info.clusterName = root.cluster_name;
  if (typeof root.version.number === 'string') info.version = root.version.number;
  return info;
}
