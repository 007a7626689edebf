/**
 * Reading a stream selector straight from Loki: `GET /loki/api/v1/query_range`, direction forward,
 * paged by time. Each page asks from the timestamp of the previous page's last entry (start is
 * inclusive), and the entries already yielded at that timestamp are skipped, so several entries
 * sharing one timestamp are neither lost nor repeated. A page holding nothing but one timestamp
 * cannot advance: the limit is doubled for it. The range is read in windows (`windowMs`, default
 * 24 h) because Loki refuses a single query longer than its `max_query_length`.
 *
 * Structured metadata arrives merged into the stream labels (Loki's default answer) or, when Loki
 * categorises labels, as a third element of each value; both are read (recover-loki.ts).
 */
import { fromLokiEntry } from './recover-loki.js';
import { isObject } from './observation.js';
import { QueryError, type QueryClient } from './query-client.js';
import type { Located, RecordSource } from './run.js';

export const QUERY_RANGE_PATH = '/loki/api/v1/query_range';

export interface LokiRead {
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly pageSize: number;
  readonly windowMs?: number;
}

interface Entry {
  readonly ns: bigint;
  readonly line: string;
  readonly labels: Record<string, unknown>;
  readonly key: string;
}

export function lokiQuery(client: QueryClient, read: LokiRead): RecordSource {
  return async function* (): AsyncGenerator<Located> {
    const windowNs = BigInt(read.windowMs ?? 24 * 3_600_000) * 1_000_000n;
    const endNs = BigInt(read.endMs) * 1_000_000n;
    for (let windowStart = BigInt(read.startMs) * 1_000_000n; windowStart < endNs; windowStart += windowNs) {
      const windowEnd = windowStart + windowNs < endNs ? windowStart + windowNs : endNs;
      let start = windowStart;
      let limit = read.pageSize;
      let seen = new Set<string>();
      for (;;) {
        const entries = await page(client, read.query, start, windowEnd, limit);
        for (const e of entries) {
          if (e.ns === start && seen.has(e.key)) continue;
          yield { observation: fromLokiEntry(e.line, e.labels), where: `loki entry at ${e.ns}` };
        }
        if (entries.length < limit) break;
        const lastNs = entries[entries.length - 1]!.ns;
        if (lastNs === start) {
          // A full page at one timestamp: ask for more at once, or paging could never move on.
          limit *= 2;
          for (const e of entries) seen.add(e.key);
          continue;
        }
        start = lastNs;
        seen = new Set(entries.filter((e) => e.ns === lastNs).map((e) => e.key));
        limit = read.pageSize;
      }
    }
  };
}

async function page(
  client: QueryClient,
  query: string,
  startNs: bigint,
  endNs: bigint,
  limit: number,
): Promise<Entry[]> {
  const params = new URLSearchParams({
    query,
    start: String(startNs),
    end: String(endNs),
    limit: String(limit),
    direction: 'forward',
  });
  const reply = await client.send('GET', `${QUERY_RANGE_PATH}?${params.toString()}`);
  const data = isObject(reply.body) && isObject(reply.body.data) ? reply.body.data : undefined;
  if (reply.status !== 200 || data === undefined || !Array.isArray(data.result)) {
    throw new QueryError(`Loki query_range: ${client.describe(reply)}`);
  }
  if (data.resultType !== 'streams')
    throw new QueryError('Loki query_range: the query must select log streams, not metrics');
  const entries: Entry[] = [];
  for (const stream of data.result as unknown[]) {
    if (!isObject(stream) || !Array.isArray(stream.values)) continue;
    const streamLabels = isObject(stream.stream) ? stream.stream : {};
    for (const value of stream.values as unknown[]) {
      if (!Array.isArray(value) || typeof value[0] !== 'string' || typeof value[1] !== 'string') continue;
      const labels: Record<string, unknown> = { ...streamLabels };
      const extra: unknown = value[2];
      if (isObject(extra)) {
        for (const part of ['structuredMetadata', 'parsed'])
          if (isObject(extra[part])) Object.assign(labels, extra[part]);
      }
      const line: string = value[1];
      entries.push({
        ns: BigInt(value[0]),
        line,
        labels,
        key: `${value[0]}\u0000${line}\u0000${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`,
      });
    }
  }
  entries.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  return entries;
}
