/**
 * Elasticsearch / OpenSearch, checked without writing a document:
 * 1. `GET /`, read exactly as the startup check reads it (readClusterRoot): the cluster banner;
 *    401 = credentials refused (a failure); 403 = credentials accepted but no `monitor` cluster
 *    privilege, which only the startup check needs (not a failure).
 * 2. `POST /_security/user/_has_privileges` (elasticsearch-specification security.has_privileges)
 *    for the index privileges a run needs on the index it would write today (the pattern resolved
 *    for today's UTC date) or on the data stream: the write privilege of the sink's op (`create_doc`
 *    for create, `index` for index) and `auto_configure` (an index or data stream created on its
 *    first write). Any authenticated user may ask about its own privileges, and Elasticsearch
 *    resolves implied ones (`write`, `all`, `create_index`). Missing write privilege: a failure;
 *    missing auto_configure: a warning (not needed when indices are created in advance).
 *    OpenSearch has no such API, and a cluster without security answers with an error: the index
 *    is then "not checked", with the reason.
 */
import type { ElasticsearchSinkConfig } from '../config/types.js';
import { createIndexNamer } from '../sinks/elasticsearch/index-name.js';
import { describe } from '../sinks/elasticsearch/reason-text.js';
import { replyObject } from '../sinks/reply-json.js';
import {
  CLUSTER_ROOT_REQUEST,
  NO_MONITOR_PRIVILEGE,
  productName,
  readClusterRoot,
} from '../sinks/elasticsearch/startup-check.js';
import type { Findings } from './findings.js';
import { excerpt, hasCredentials, httpStatus, type Answer, type ProbeSession } from './probe-session.js';

export const HAS_PRIVILEGES_PATH = '/_security/user/_has_privileges';
const AUTO_CONFIGURE = 'auto_configure';

export async function probeElasticsearch(
  config: ElasticsearchSinkConfig,
  session: ProbeSession,
  nowMs: number,
): Promise<void> {
  const { findings } = session;
  const reply = await session.send(CLUSTER_ROOT_REQUEST);
  if (!reply) return;
  const root = readClusterRoot(reply);
  let opensearch = false;
  if (root.kind === 'credentials_refused') {
    findings.fail(
      hasCredentials(config)
        ? `credentials refused (${httpStatus(reply)})`
        : `credentials required (${httpStatus(reply)}) and none are configured`,
    );
    return;
  }
  if (root.kind === 'no_monitor') {
    findings.ok(`credentials accepted; GET / refused (403): ${NO_MONITOR_PRIVILEGE}`);
  } else if (root.kind === 'cluster') {
    const { info } = root;
    opensearch = info.distribution === 'opensearch';
    findings.ok(`${productName(info)}${info.clusterName ? ` (cluster ${info.clusterName})` : ''}`);
    if (hasCredentials(config)) findings.ok('credentials accepted');
  } else {
    findings.fail(`GET / answered ${httpStatus(reply)}: no Elasticsearch cluster available at this URL`);
    return;
  }

  const target = config.data_stream ?? createIndexNamer(config.index)(nowMs);
  if (opensearch) {
    findings.ok(`index writable: not checked (OpenSearch has no ${HAS_PRIVILEGES_PATH} API)`);
    return;
  }
  const write = config.data_stream !== undefined || config.op === 'create' ? 'create_doc' : 'index';
  const answer = await session.send({
    path: HAS_PRIVILEGES_PATH,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ index: [{ names: [target], privileges: [write, AUTO_CONFIGURE] }] })),
  });
  if (answer) privilegesFindings(answer, target, write, findings);
}

function privilegesFindings(answer: Answer, target: string, write: string, findings: Findings): void {
  if (answer.status === 401) {
    findings.fail(`credentials refused by ${HAS_PRIVILEGES_PATH} (${httpStatus(answer)})`);
    return;
  }
  const granted = answer.status === 200 ? indexPrivileges(answer.body, target) : undefined;
  if (!granted) {
    const why =
      answer.status === 200 ? 'an unreadable reply' : `HTTP ${answer.status}: ${errorText(answer.body)}`;
    findings.ok(`index writable: not checked (${HAS_PRIVILEGES_PATH} answered ${why})`);
    return;
  }
  const on = `on ${target}`;
  if (granted[write] !== true) {
    findings.fail(
      `the credentials lack the "${write}" index privilege ${on}: grant it on the index pattern or data stream`,
    );
    return;
  }
  if (granted[AUTO_CONFIGURE] !== true) {
    findings.warn(
      `index writable ("${write}" ${on}) but no "${AUTO_CONFIGURE}": a missing index or data stream is not ` +
        'created on first write (a daily index is new every day): grant it, or create them in advance',
    );
    return;
  }
  findings.ok(`index writable ("${write}" and "${AUTO_CONFIGURE}" ${on})`);
}

/** `index[target]` of a has_privileges reply: privilege → granted. */
function indexPrivileges(body: string, target: string): Readonly<Record<string, unknown>> | undefined {
  const index = replyObject(body)?.index as Record<string, unknown> | undefined;
  const privileges = index?.[target];
  return privileges && typeof privileges === 'object' ? (privileges as Record<string, unknown>) : undefined;
}

/** An Elasticsearch error body as "type: reason"; other bodies as an excerpt. */
function errorText(body: string): string {
  const error = replyObject(body)?.error;
  // Not JSON: quoted as it is.
  return excerpt(error !== undefined ? describe(error) : body);
}
