/**
 * A faithful Elasticsearch `_bulk` receiver for tests, on a real socket (startScriptedReceiver).
 *
 * Like Elasticsearch it: refuses a body that is not NDJSON ending in "\n" (whole-request 400 with an
 * ES error body), an unknown Content-Type (406), a missing `_index`; stores documents by
 * `_index`/`_id`; answers `create` on an existing `_id` with an item 409
 * version_conflict_engine_exception; refuses documents that are not JSON objects, have a duplicate
 * key, or lack `@timestamp` in a data stream (item 400); with `autoCreateIndex: false` answers an
 * item for an index that does not exist with 404 index_not_found_exception; answers items in
 * request order with `errors` true iff any item failed, filtered by `filter_path` as Elasticsearch
 * does; answers `GET /` with the cluster banner (403 security_exception without a cluster privilege
 * that grants `monitor`); answers `_security/user/_has_privileges` with the `indexPrivileges`
 * granted on every index, implied privileges resolved as Elasticsearch does (OpenSearch: no such
 * API; `security: false`: the error a cluster without security answers).
 *
 * Tests steer it with `scriptItems` (per-item statuses or real error bodies from es-item-errors.ts,
 * e.g. a mix of 201, 409, 429, 403 security_exception and 400 in one reply) and the scripted
 * receiver's `script()` (whole-request statuses, which bypass bulk handling).
 */
import { applyFilterPath } from './es-filter-path.js';
import { defaultItemError, type EsItemError, type EsItemFailure } from './es-item-errors.js';
import {
  startScriptedReceiver,
  type ReceivedRequest,
  type ScriptedReceiver,
  type ScriptedReply,
} from './scripted-receiver.js';

export type BulkOp = 'create' | 'index';

export interface BulkAction {
  readonly op: BulkOp;
  readonly index: string;
  readonly id: string;
}

export interface BulkItem {
  readonly action: BulkAction;
  /** The parsed document, or undefined when its line is not JSON. */
  readonly doc: unknown;
  /** The document line exactly as received. */
  readonly line: string;
}

export interface ParsedBulkRequest {
  /** The receiver-wide request index (same as in `requests`). */
  readonly requestNumber: number;
  readonly url: string;
  readonly pipeline?: string;
  /** The `filter_path` query parameter, as received. */
  readonly filterPath?: string;
  readonly items: readonly BulkItem[];
  /** The item statuses answered, in request order (filled in when the reply is built). */
  readonly statuses: number[];
}

/** A status, or a status with a custom error; undefined = behave like Elasticsearch. */
export type ItemScript = (
  doc: unknown,
  indexInRequest: number,
  requestNumber: number,
  action: BulkAction,
) => number | { status: number; error?: EsItemError } | undefined;

export interface BulkReceiverOptions {
  readonly distribution?: 'elasticsearch' | 'opensearch';
  readonly version?: string;
  readonly clusterName?: string;
  /** When set, requests without exactly this Authorization header get ES security's 401. */
  readonly authorization?: string;
  /** Names that are data streams: op create only, `@timestamp` required. */
  readonly dataStreams?: readonly string[];
  /** `action.auto_create_index`: false answers items for a missing index with a 404. Default true. */
  readonly autoCreateIndex?: boolean;
  /** Cluster privileges of the credentials (GET / needs monitor, manage or all). Default ["all"]. */
  readonly clusterPrivileges?: readonly string[];
  /** Index privileges granted on every index, for `_has_privileges`. Default ["all"]. */
  readonly indexPrivileges?: readonly string[];
  /** xpack.security.enabled; false: security APIs answer 500. Default true. */
  readonly security?: boolean;
}

/** Elasticsearch's privilege implications that matter for writing (what each one also grants). */
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  write: ['index', 'create', 'create_doc', 'delete', 'update'],
  index: ['create', 'create_doc', 'update'],
  create: ['create_doc'],
  manage: ['create_index', 'auto_configure', 'monitor'],
  create_index: ['auto_configure'],
};
const GRANTS_MONITOR = new Set(['monitor', 'manage', 'all']);
const USERNAME = 'wirety-shipper';

function grants(held: readonly string[], wanted: string): boolean {
  return held.some((p) => p === 'all' || p === wanted || grants(IMPLIED[p] ?? [], wanted));
}

export interface BulkReceiver extends ScriptedReceiver {
  /** `${_index}/${_id}` → stored document. */
  readonly documents: Map<string, Record<string, unknown>>;
  /** Bulk requests this receiver handled itself (not those answered by `script()`). */
  readonly bulkRequests: ParsedBulkRequest[];
  scriptItems(script: ItemScript | undefined): void;
  /** Indices that exist (created automatically by a stored document, or by `createIndex`). */
  readonly indices: ReadonlySet<string>;
  createIndex(name: string): void;
  setAutoCreateIndex(on: boolean): void;
  /** How many times `_id` arrived in any `_bulk` request, including ones answered by `script()`. */
  sendCount(id: string): number;
  sendCounts(): Map<string, number>;
}

const BULK_PATH = /^(?:\/([^/?]+))?\/_bulk(?:\?(.*))?$/;
const FORBIDDEN_INDEX_CHARS = /[\\/*?"<>|, #:]/;

export async function startBulkReceiver(options: BulkReceiverOptions = {}): Promise<BulkReceiver> {
  const documents = new Map<string, Record<string, unknown>>();
  const versions = new Map<string, number>();
  const bulkRequests: ParsedBulkRequest[] = [];
  const dataStreams = new Set(options.dataStreams ?? []);
  const indices = new Set<string>();
  let autoCreateIndex = options.autoCreateIndex ?? true;
  let itemScript: ItemScript | undefined;
  let seqNo = 0;
  let autoId = 0;

  const json = (status: number, body: object, headers: Record<string, string> = {}): ScriptedReply => ({
    status,
    headers: {
      'content-type': 'application/json',
      ...(options.distribution === 'opensearch' ? {} : { 'x-elastic-product': 'Elasticsearch' }),
      ...headers,
    },
    body,
  });
  const requestError = (
    status: number,
    type: string,
    reason: string,
    headers: Record<string, string> = {},
  ): ScriptedReply =>
    json(status, { error: { root_cause: [{ type, reason }], type, reason }, status }, headers);

  const banner = (): ScriptedReply =>
    json(200, {
      name: 'bulk-receiver-node-1',
      cluster_name: options.clusterName ?? 'test-cluster',
      cluster_uuid: 'bXVsdGktdGVzdC1jbHVzdGVy',
      version:
        options.distribution === 'opensearch'
          ? { distribution: 'opensearch', number: options.version ?? '2.15.0', build_type: 'tar' }
          : { number: options.version ?? '8.15.0', build_flavor: 'default', lucene_version: '9.11.1' },
      tagline:
        options.distribution === 'opensearch'
          ? 'The OpenSearch Project: https://opensearch.org/'
          : 'You Know, for Search',
    });

  const handleBulk = (
    request: ReceivedRequest,
    requestNumber: number,
    match: RegExpExecArray,
  ): ScriptedReply => {
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/(x-ndjson|json)\b/.test(contentType)) {
      return json(406, { error: `Content-Type header [${contentType}] is not supported`, status: 406 });
    }
    const parsed = parseBulkBody(request.body.toString('utf8'), match[1]);
    if (typeof parsed === 'string')
      return requestError(
        400,
        parsed.startsWith('Validation')
          ? 'action_request_validation_exception'
          : 'illegal_argument_exception',
        parsed,
      );
    const query = new URLSearchParams(match[2] ?? '');
    const pipeline = query.get('pipeline') ?? undefined;
    const filterPath = query.get('filter_path') ?? undefined;
    const statuses: number[] = [];
    bulkRequests.push({
      requestNumber,
      url: request.url,
      items: parsed,
      statuses,
      ...(pipeline !== undefined ? { pipeline } : {}),
      ...(filterPath !== undefined ? { filterPath } : {}),
    });

    const started = Date.now();
    const items = parsed.map((item, i) => {
      const { op, index } = item.action;
      const id = item.action.id === '' ? `auto-${++autoId}` : item.action.id;
      const key = `${index}/${id}`;
      const fail = ({ status, error }: EsItemFailure) => {
        statuses.push(status);
        return { [op]: { _index: index, _id: id, status, error } };
      };
      const scripted = itemScript?.(item.doc, i, requestNumber, item.action);
      if (scripted !== undefined) {
        const status = typeof scripted === 'number' ? scripted : scripted.status;
        if (status >= 300) {
          const error = typeof scripted === 'object' ? scripted.error : undefined;
          return fail(error ? { status, error } : defaultItemError(status, index, id));
        }
      } else {
        const problem = checkItem(item, id, dataStreams);
        if (problem) return fail(problem);
        if (!autoCreateIndex && !indices.has(index) && !dataStreams.has(index)) {
          return fail(defaultItemError(404, index, id));
        }
        if (op === 'create' && documents.has(key)) return fail(defaultItemError(409, index, id));
      }
      indices.add(index);
      const version = (versions.get(key) ?? 0) + 1;
      versions.set(key, version);
      documents.set(key, item.doc as Record<string, unknown>);
      const created = version === 1 || op === 'create';
      statuses.push(created ? 201 : 200);
      return {
        [op]: {
          _index: index,
          _id: id,
          _version: version,
          result: created ? 'created' : 'updated',
          _shards: { total: 2, successful: 1, failed: 0 },
          _seq_no: seqNo++,
          _primary_term: 1,
          status: created ? 201 : 200,
        },
      };
    });
    const errors = statuses.some((status) => status >= 300);
    return json(200, applyFilterPath({ took: Date.now() - started, errors, items }, filterPath));
  };

  const hasPrivileges = (request: ReceivedRequest): ScriptedReply => {
    if (options.security === false) {
      return requestError(
        500,
        'security_exception',
        'Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node.',
      );
    }
    let asked: { index?: { names: string[]; privileges: string[] }[]; cluster?: string[] };
    try {
      asked = JSON.parse(request.body.toString('utf8')) as typeof asked;
    } catch {
      return requestError(400, 'parse_exception', 'request body is required');
    }
    const held = options.indexPrivileges ?? ['all'];
    const index: Record<string, Record<string, boolean>> = {};
    for (const check of asked.index ?? []) {
      for (const name of check.names) {
        index[name] ??= {};
        for (const privilege of check.privileges) index[name][privilege] = grants(held, privilege);
      }
    }
    const cluster: Record<string, boolean> = {};
    for (const privilege of asked.cluster ?? [])
      cluster[privilege] = grants(options.clusterPrivileges ?? ['all'], privilege);
    const all = [...Object.values(cluster), ...Object.values(index).flatMap((p) => Object.values(p))];
    return json(200, {
      username: USERNAME,
      has_all_requested: all.every(Boolean),
      cluster,
      index,
      application: {},
    });
  };

  const receiver = await startScriptedReceiver((request, index) => {
    if (options.authorization !== undefined && request.headers.authorization !== options.authorization) {
      const reason = 'missing authentication credentials for REST request [' + request.url + ']';
      return requestError(401, 'security_exception', reason, {
        'www-authenticate': 'Basic realm="security"',
      });
    }
    const path = request.url.split('?')[0];
    if (request.method === 'GET' && path === '/') {
      if ((options.clusterPrivileges ?? ['all']).some((p) => GRANTS_MONITOR.has(p))) return banner();
      return requestError(
        403,
        'security_exception',
        `action [cluster:monitor/main] is unauthorized for user [${USERNAME}] with effective roles [wirety_ship_writer], this action is granted by the cluster privileges [monitor,manage,all]`,
      );
    }
    if (path === '/_security/user/_has_privileges' && options.distribution !== 'opensearch')
      return hasPrivileges(request);
    const match = BULK_PATH.exec(request.url);
    if (match && (request.method === 'POST' || request.method === 'PUT'))
      return handleBulk(request, index, match);
    return json(400, {
      error: `no handler found for uri [${request.url}] and method [${request.method}]`,
      status: 400,
    });
  });

  const sendCounts = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const request of receiver.requests) {
      if (!BULK_PATH.test(request.url)) continue;
      const lines = request.body.toString('utf8').split('\n');
      for (let i = 0; i < lines.length; i += 2) {
        try {
          const action = JSON.parse(lines[i]!) as Record<string, { _id?: string }>;
          const id = Object.values(action)[0]?._id;
          if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
        } catch {
          // a malformed line is the bulk handler's business; counting skips it
        }
      }
    }
    return counts;
  };

  return Object.assign(receiver, {
    documents,
    bulkRequests,
    scriptItems: (script: ItemScript | undefined) => {
      itemScript = script;
    },
    indices,
    createIndex: (name: string) => {
      indices.add(name);
    },
    setAutoCreateIndex: (on: boolean) => {
      autoCreateIndex = on;
    },
    sendCount: (id: string) => sendCounts().get(id) ?? 0,
    sendCounts,
  });
}

/** Strict NDJSON: every line ends in "\n", action lines are valid, each has a document line. */
function parseBulkBody(text: string, pathIndex: string | undefined): BulkItem[] | string {
  if (text.length === 0) return 'request body is required';
  if (!text.endsWith('\n')) return 'The bulk request must be terminated by a newline [\\n]';
  const lines = text.slice(0, -1).split('\n');
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    let action: unknown;
    try {
      action = JSON.parse(lines[i]!);
    } catch (error) {
      return `Malformed action/metadata line [${i + 1}]: ${(error as Error).message}`;
    }
    const keys = action && typeof action === 'object' ? Object.keys(action) : [];
    const op = keys[0];
    if (keys.length !== 1 || (op !== 'create' && op !== 'index')) {
      return `Malformed action/metadata line [${i + 1}], expected one of [create, index] but found [${keys.join(',')}]`;
    }
    const meta = (action as Record<string, { _index?: unknown; _id?: unknown }>)[op];
    const index = typeof meta?._index === 'string' ? meta._index : pathIndex;
    if (index === undefined) return 'Validation Failed: 1: index is missing;';
    if (i + 1 >= lines.length) return `Validation Failed: action line [${i + 1}] has no document line;`;
    const line = lines[i + 1]!;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      doc = undefined;
    }
    const id = typeof meta?._id === 'string' ? meta._id : '';
    items.push({ action: { op, index, id }, doc, line });
  }
  return items;
}

function checkItem(item: BulkItem, id: string, dataStreams: ReadonlySet<string>): EsItemFailure | undefined {
  const { op, index } = item.action;
  const doc = item.doc as Record<string, unknown> | null;
  const problem = (status: number, type: string, reason: string): EsItemFailure => ({
    status,
    error: { type, reason, index },
  });
  if (index !== index.toLowerCase() || FORBIDDEN_INDEX_CHARS.test(index) || /^[-_+]/.test(index)) {
    return problem(400, 'invalid_index_name_exception', `Invalid index name [${index}]`);
  }
  if (Buffer.byteLength(id) > 512) {
    const reason = `id [${id.slice(0, 40)}…] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)}`;
    return problem(400, 'illegal_argument_exception', reason);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    return problem(400, 'document_parsing_exception', '[1:1] failed to parse: not a JSON object');
  }
  const duplicate = findDuplicateKey(item.line);
  if (duplicate !== undefined) {
    const reason = `[1:1] failed to parse: Duplicate field '${duplicate}'`;
    return problem(400, 'document_parsing_exception', reason);
  }
  if (dataStreams.has(index)) {
    if (op !== 'create') {
      const reason = 'only write ops with an op_type of create are allowed in data streams';
      return problem(400, 'illegal_argument_exception', reason);
    }
    if (!('@timestamp' in doc)) {
      const reason = 'data stream timestamp field [@timestamp] is missing';
      return problem(400, 'document_parsing_exception', reason);
    }
  }
  return undefined;
}

/** Elasticsearch refuses a document with a repeated key (JSON.parse silently keeps the last one). */
function findDuplicateKey(json: string): string | undefined {
  // The text already parsed as JSON, so a flat scan of strings and brackets is exact.
  const stack: ({ keys: Set<string>; expectKey: boolean } | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{') stack.push({ keys: new Set(), expectKey: true });
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top) top.expectKey = true;
    } else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.expectKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}
