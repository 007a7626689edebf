/**
 * Bulk item errors that describe the cluster's set-up, not the document: a missing privilege, a
 * missing index, an alias without a write index, an index block, a missing ingest pipeline. The
 * same document goes in once a human fixes the set-up, so such items are kept and the sink is
 * reported blocked (bulk-items.ts); they are never dead-lettered. Only document errors (mapping,
 * parsing, a bad value) are. `illegal_argument_exception` is used for both kinds, so for it the
 * reason text decides.
 *
 * Each message names the index and the privilege or setting to change. It never repeats the user
 * or API key id a security_exception names: only the action and the privileges ES says grant it.
 */
import { cut } from './reason-text.js';

export interface ItemError {
  readonly type?: string;
  readonly reason?: string;
  /** Set by Elasticsearch on index errors (index_not_found_exception…), not on security errors. */
  readonly index?: string;
}

/** The error text kept from Elasticsearch's own reason (messages stay readable in a log line). */
const MAX_QUOTED_CHARS = 300;

/**
 * What is wrong with the set-up and how to fix it, or undefined when the error is not a
 * configuration fault (a document error, or a transient state such as a cluster still starting).
 * `index` is where the document was sent; the error's own `index` wins when present.
 */
export function configurationFault(status: number, error: ItemError, index: string): string | undefined {
  const type = error.type ?? 'error';
  const reason = error.reason ?? '';
  const target = error.index ?? index;
  const fault = (problem: string, quoteReason = true): string =>
    `${status} ${type} on index [${target}]: ${problem}` +
    (quoteReason && reason !== '' ? ` (Elasticsearch: ${cut(reason, MAX_QUOTED_CHARS)})` : '');

  if (type === 'cluster_block_exception') {
    // SERVICE_UNAVAILABLE blocks (state not recovered, no master) lift by themselves: retried.
    if (status === 503 || reason.includes('SERVICE_UNAVAILABLE/')) return undefined;
    return fault(blockFix(reason));
  }
  if (type === 'security_exception' || status === 403) return fault(privilegeFix(reason), false);
  if (type === 'index_not_found_exception' || status === 404) {
    return fault(
      'the index does not exist and was not created automatically: create it (or an index ' +
        'template or data stream for its name), or allow its name in action.auto_create_index',
    );
  }
  if (type === 'index_closed_exception') return fault('the index is closed: open it (POST /<index>/_open)');
  const alias = /no write index is defined for alias \[([^\]]*)\]/.exec(reason);
  if (alias) {
    return fault(
      `alias [${alias[1]}] points to several indices and none is its write index: set ` +
        '"is_write_index": true on the one to write to (the ILM rollover bootstrap index)',
      false, // Elasticsearch's text says the same at length
    );
  }
  if (reason.includes('only write ops with an op_type of create are allowed in data streams')) {
    return fault("this is a data stream: set the sink's data_stream to its name (or op: create)");
  }
  const pipeline = /pipeline with id \[([^\]]*)\] does not exist/.exec(reason);
  if (pipeline) {
    return fault(`ingest pipeline [${pipeline[1]}] does not exist: create it or change the sink's pipeline`);
  }
  if (type === 'invalid_index_name_exception')
    return fault("the cluster refuses this index name: change the sink's index");
  return undefined;
}

/** `index [x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark…]` and kin. */
function blockFix(reason: string): string {
  if (/flood-stage|read-only-allow-delete|read-only \/ allow delete/.test(reason)) {
    return (
      'disk usage passed the flood-stage watermark and the index is read-only: free disk space ' +
      '(Elasticsearch 7.4+ lifts the block once usage is below the high watermark; older versions ' +
      'need index.blocks.read_only_allow_delete set to null)'
    );
  }
  if (reason.includes('index write (api)')) return 'writes are blocked: remove index.blocks.write';
  if (reason.includes('index read-only (api)'))
    return 'the index is read-only: remove index.blocks.read_only';
  if (reason.includes('cluster read-only'))
    return 'the cluster is read-only: remove cluster.blocks.read_only';
  if (reason.includes('create-index blocked')) {
    return 'index creation is blocked: remove cluster.blocks.create_index, or create the index in advance';
  }
  return 'the index or cluster is blocked: remove the block named here';
}

/** `action [indices:admin/auto_create] is unauthorized for user [u] …, this action is granted by the index privileges [p]`. */
function privilegeFix(reason: string): string {
  const action = /action \[(.+?)\] is unauthorized/.exec(reason)?.[1];
  const granted = /granted by the index privileges \[([^\]]*)\]/.exec(reason)?.[1];
  const detail = [action && `action [${action}]`, granted && `granted by [${granted}]`]
    .filter(Boolean)
    .join(', ');
  const creating = action !== undefined && /^indices:admin\/(auto_)?create/.test(action);
  const fix = creating
    ? 'the credentials may not create this index: grant the auto_configure (or create_index) index ' +
      'privilege on it, or create the index in advance'
    : 'the credentials may not write to this index: grant the create_doc index privilege on it ' +
      '(the index privilege if the sink uses op: index)';
  return detail === '' ? fix : `${fix} (${detail})`;
}
