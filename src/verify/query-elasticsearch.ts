/**
 * Reading an index straight from Elasticsearch / OpenSearch: a point in time (`POST /<index>/_pit`)
 * and `_search` pages sorted by `_shard_doc` with `search_after`, so a long read sees one consistent
 * snapshot and never skips or repeats a document while others are written. The point in time is
 * closed at the end, also when the read fails. Checkpoints are read the same way from their own
 * index (no time filter: the newest one matters, whenever it was made); a checkpoint index that does
 * not exist yields nothing (the report then says no checkpoint was seen).
 */
import { fromElasticsearchHit } from './recover-elasticsearch.js';
import { isObject } from './observation.js';
import { QueryError, type QueryClient } from './query-client.js';
import type { Located, RecordSource } from './run.js';

export interface ElasticsearchRead {
  readonly index: string;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly pageSize: number;
  /** A missing index yields nothing instead of failing (the checkpoint index). */
  readonly optional?: boolean;
}

const KEEP_ALIVE = '2m';

export function elasticsearchQuery(client: QueryClient, read: ElasticsearchRead): RecordSource {
  return async function* (): AsyncGenerator<Located> {
    const path = `/${encodeURIComponent(read.index).replace(/%2A/g, '*').replace(/%2C/g, ',')}/_pit?keep_alive=${KEEP_ALIVE}`;
    const opened = await client.send('POST', path);
    if (opened.status === 404 && read.optional) return;
    if (opened.status !== 200 || !isObject(opened.body) || typeof opened.body.id !== 'string') {
      throw new QueryError(`opening a point in time on ${read.index}: ${client.describe(opened)}`);
    }
    let pit = opened.body.id;
    try {
      const range: Record<string, string> = {};
      if (read.sinceMs !== undefined) range.gte = new Date(read.sinceMs).toISOString();
      if (read.untilMs !== undefined) range.lte = new Date(read.untilMs).toISOString();
      const query = Object.keys(range).length > 0 ? { range: { '@timestamp': range } } : { match_all: {} };
      let searchAfter: unknown;
      let page = 0;
      for (;;) {
        page++;
        const reply = await client.send('POST', '/_search', {
          size: read.pageSize,
          query,
          pit: { id: pit, keep_alive: KEEP_ALIVE },
          sort: [{ _shard_doc: 'asc' }],
          track_total_hits: false,
          ...(searchAfter !== undefined ? { search_after: searchAfter } : {}),
        });
        const hits = isObject(reply.body) && isObject(reply.body.hits) ? reply.body.hits.hits : undefined;
        if (reply.status !== 200 || !Array.isArray(hits)) {
          throw new QueryError(`searching ${read.index} (page ${page}): ${client.describe(reply)}`);
        }
        if (isObject(reply.body) && typeof reply.body.pit_id === 'string') pit = reply.body.pit_id;
        for (const hit of hits) {
          const where = isObject(hit)
            ? `${String(hit._index)}/${String(hit._id)}`
            : `${read.index} page ${page}`;
          yield { observation: fromElasticsearchHit(hit), where };
        }
        const last: unknown = hits[hits.length - 1];
        if (hits.length < read.pageSize || !isObject(last) || !Array.isArray(last.sort)) return;
        searchAfter = last.sort;
      }
    } finally {
      // A point in time holds segments on the cluster until it expires: give it back now.
      await client.send('DELETE', '/_pit', { id: pit }).catch(() => undefined);
    }
  };
}
