/**
 * `_bulk` item errors as Elasticsearch / OpenSearch write them: the status, `error.type`, the
 * `reason` text and the metadata fields they add (`index`, `index_uuid` on index-level errors;
 * none on security errors). The bulk receiver answers with them by default and tests script them
 * per item (`scriptItems(() => esItemErrors.indexNotFound(index))`).
 *
 * Shapes from docs/receivers.md §2 and Elasticsearch's sources (IndexNotFoundException,
 * AutoCreateIndex, ClusterBlock, AuthorizationService, IndexAbstraction.getWriteIndex).
 */

export interface EsItemError {
  readonly type: string;
  readonly reason: string;
  readonly [field: string]: unknown;
}

export interface EsItemFailure {
  readonly status: number;
  readonly error: EsItemError;
}

const onIndex = (index: string) => ({ index_uuid: '_na_', index });
const blockedBy = (status: number, index: string, block: string): EsItemFailure => ({
  status,
  error: { type: 'cluster_block_exception', reason: `index [${index}] blocked by: [${block}];` },
});

export const esItemErrors = {
  // --- document errors: the document itself is refused (dead-lettered) ---
  mapperParsing: (index: string, id: string): EsItemFailure => ({
    status: 400,
    error: {
      type: 'mapper_parsing_exception',
      reason: `failed to parse field [time] of type [date] in document with id '${id}'. Preview of field's value: 'x'`,
      caused_by: {
        type: 'illegal_argument_exception',
        reason: 'failed to parse date field [x] with format [strict_date_optional_time||epoch_millis]',
      },
      ...onIndex(index),
    },
  }),
  /** illegal_argument_exception about the document (the same type as the no-write-index fault). */
  immenseTerm: (index: string): EsItemFailure => ({
    status: 400,
    error: {
      type: 'illegal_argument_exception',
      reason:
        'Document contains at least one immense term in field="message" (whose UTF8 encoding is longer ' +
        'than the max length 32766), all of which were skipped.',
      caused_by: {
        type: 'max_bytes_length_exceeded_exception',
        reason: 'bytes can be at most 32766 in length; got 40000',
      },
      ...onIndex(index),
    },
  }),

  // --- set-up errors: privileges, missing index or write index, blocks (kept, sink blocked) ---
  /** The credentials lack an index privilege (`create_doc` for writing). Names no index field. */
  securityException: (
    index: string,
    action = 'indices:data/write/bulk[s]',
    privileges = 'create_doc,create,delete,index,write,all',
  ): EsItemFailure => ({
    status: 403,
    error: {
      type: 'security_exception',
      reason:
        `action [${action}] is unauthorized for API key id [k3y-1d] of user [wirety-shipper] ` +
        `on indices [${index}], this action is granted by the index privileges [${privileges}]`,
    },
  }),
  /** The index is missing and the credentials may not auto-create it. */
  autoCreateDenied: (index: string): EsItemFailure =>
    esItemErrors.securityException(
      index,
      'indices:admin/auto_create',
      'auto_configure,create_index,manage,all',
    ),
  /** The index is missing and `action.auto_create_index` forbids creating it. */
  indexNotFound: (index: string): EsItemFailure => ({
    status: 404,
    error: {
      type: 'index_not_found_exception',
      reason: `no such index [${index}] and [action.auto_create_index] is [false]`,
      ...onIndex(index),
    },
  }),
  /** An ILM rollover alias over several indices, none of them `is_write_index`. */
  noWriteIndex: (alias: string): EsItemFailure => ({
    status: 400,
    error: {
      type: 'illegal_argument_exception',
      reason:
        `no write index is defined for alias [${alias}]. The write index may be explicitly disabled ` +
        'using is_write_index=false or the alias points to multiple indices without one being ' +
        'designated as a write index',
    },
  }),
  /** Elasticsearch 7.4+ when a node passes the flood-stage disk watermark. */
  floodStage: (index: string) =>
    blockedBy(
      429,
      index,
      'TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block',
    ),
  /** The same block before 7.4 (and OpenSearch's api-set form). */
  readOnlyAllowDelete: (index: string) =>
    blockedBy(403, index, 'FORBIDDEN/12/index read-only / allow delete (api)'),
  /** `index.blocks.write: true`. */
  writeBlock: (index: string) => blockedBy(403, index, 'FORBIDDEN/8/index write (api)'),

  // --- transient: retried at the usual backoff ---
  /** A cluster still starting: lifts by itself. */
  stateNotRecovered: (): EsItemFailure => ({
    status: 503,
    error: {
      type: 'cluster_block_exception',
      reason: 'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
    },
  }),
  rejectedExecution: (index: string): EsItemFailure => ({
    status: 429,
    error: {
      type: 'es_rejected_execution_exception',
      reason: `rejected execution of coordinating operation [shard_detail=[${index}][0]]`,
    },
  }),
  unavailableShards: (index: string): EsItemFailure => ({
    status: 503,
    error: {
      type: 'unavailable_shards_exception',
      reason: `[${index}][0] primary shard is not active Timeout: [1m]`,
    },
  }),

  // --- already stored ---
  versionConflict: (index: string, id: string): EsItemFailure => ({
    status: 409,
    error: {
      type: 'version_conflict_engine_exception',
      reason: `[${id}]: version conflict, document already exists (current version [1])`,
      ...onIndex(index),
    },
  }),
};

/** The error Elasticsearch gives an item with this status (for statuses scripted as a number). */
export function defaultItemError(status: number, index: string, id: string): EsItemFailure {
  switch (status) {
    case 400:
      return esItemErrors.mapperParsing(index, id);
    case 403:
      return esItemErrors.securityException(index);
    case 404:
      return esItemErrors.indexNotFound(index);
    case 409:
      return esItemErrors.versionConflict(index, id);
    case 429:
      return esItemErrors.rejectedExecution(index);
    case 503:
      return esItemErrors.unavailableShards(index);
    default:
      return { status, error: { type: 'exception', reason: `scripted failure ${status}` } };
  }
}
