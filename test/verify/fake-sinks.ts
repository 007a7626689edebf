/**
 * Minimal, faithful node:http stand-ins for the read APIs verify uses: Elasticsearch's point in
 * time + `_search` with `search_after`, and Loki's `query_range`. Each keeps a log of what it was
 * asked, so tests can check the paging and that the point in time was closed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface FakeElasticsearch {
  readonly url: string;
  /** Point-in-time ids opened, and those closed. */
  readonly opened: string[];
  readonly closed: string[];
  /** The pit id each _search named. */
  readonly searchedWith: string[];
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** `indices`: index name → documents (`_id`, `_source`). A pattern `a-*` matches by prefix. */
export async function startFakeElasticsearch(
  indices: Record<string, { _id: string; _source: Record<string, unknown> }[]>,
): Promise<FakeElasticsearch> {
  const pits = new Map<string, { _index: string; _id: string; _source: Record<string, unknown> }[]>();
  const opened: string[] = [];
  const closed: string[] = [];
  const searchedWith: string[] = [];
  const authorizations: (string | undefined)[] = [];
  let pitCount = 0;
  let reply = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      authorizations.push(req.headers.authorization);
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const pitOpen = /^\/([^/]+)\/_pit$/.exec(url.pathname);
      if (req.method === 'POST' && pitOpen) {
        const patterns = decodeURIComponent(pitOpen[1]!).split(',');
        const names = Object.keys(indices).filter((name) =>
          patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p)),
        );
        if (names.length === 0)
          return send(404, { error: { type: 'index_not_found_exception' }, status: 404 });
        const id = `pit-${++pitCount}`;
        pits.set(
          id,
          names.flatMap((name) => indices[name]!.map((doc) => ({ _index: name, ...doc }))),
        );
        opened.push(id);
        return send(200, { id });
      }
      if (req.method === 'POST' && url.pathname === '/_search') {
        const q = JSON.parse(text) as {
          size: number;
          pit: { id: string };
          search_after?: [number];
          sort: unknown;
          query: { range?: { '@timestamp': { gte?: string; lte?: string } } };
        };
        searchedWith.push(q.pit.id);
        const base = q.pit.id.split('~')[0]!;
        const docs = pits.get(base);
        if (!docs || closed.includes(base))
          return send(404, { error: { type: 'search_context_missing_exception' } });
        const range = q.query.range?.['@timestamp'];
        const from = q.search_after?.[0] ?? -1;
        const hits = docs
          .map((doc, shardDoc) => ({ ...doc, _score: null, sort: [shardDoc] }))
          .filter((hit) => hit.sort[0]! > from)
          .filter((hit) => {
            const t = typeof hit._source['@timestamp'] === 'string' ? hit._source['@timestamp'] : '';
            return (!range?.gte || t >= range.gte) && (!range?.lte || t <= range.lte);
          })
          .slice(0, q.size);
        // Elasticsearch may hand back a new id for the same point in time: use the newest.
        return send(200, { pit_id: `${base}~${++reply}`, hits: { hits } });
      }
      if (req.method === 'DELETE' && url.pathname === '/_pit') {
        const id = (JSON.parse(text) as { id: string }).id.split('~')[0]!;
        closed.push(id);
        return send(200, { succeeded: true, num_freed: 1 });
      }
      send(400, { error: `unexpected ${req.method} ${url.pathname}` });
    })();
  });
  const url = await listen(server);
  return { url, opened, closed, searchedWith, authorizations, close: () => stop(server) };
}

export interface LokiEntry {
  readonly ns: bigint;
  readonly line: string;
  readonly labels: Record<string, string>;
  readonly metadata: Record<string, string>;
}

export interface FakeLoki {
  readonly url: string;
  readonly requests: { start: bigint; end: bigint; limit: number; tenant: string | undefined }[];
  close(): Promise<void>;
}

/**
 * query_range over `entries`: start inclusive, end exclusive, forward, at most `limit` entries.
 * `categorize`: structured metadata as the third value element instead of merged into the labels.
 */
export async function startFakeLoki(
  entries: readonly LokiEntry[],
  options: { categorize?: boolean } = {},
): Promise<FakeLoki> {
  const requests: FakeLoki['requests'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      await body(req);
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/loki/api/v1/query_range' || url.searchParams.get('direction') !== 'forward') {
        res.writeHead(400).end('bad request');
        return;
      }
      const start = BigInt(url.searchParams.get('start')!);
      const end = BigInt(url.searchParams.get('end')!);
      const limit = Number(url.searchParams.get('limit'));
      requests.push({ start, end, limit, tenant: req.headers['x-scope-orgid'] as string | undefined });
      const chosen = entries
        .filter((e) => e.ns >= start && e.ns < end)
        .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0))
        .slice(0, limit);
      const streams = new Map<string, { stream: Record<string, string>; values: unknown[] }>();
      for (const e of chosen) {
        const labels = options.categorize ? e.labels : { ...e.labels, ...e.metadata };
        const key = JSON.stringify(labels);
        if (!streams.has(key)) streams.set(key, { stream: labels, values: [] });
        streams
          .get(key)!
          .values.push(
            options.categorize
              ? [String(e.ns), e.line, { structuredMetadata: e.metadata }]
              : [String(e.ns), e.line],
          );
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ status: 'success', data: { resultType: 'streams', result: [...streams.values()] } }),
      );
    })();
  });
  const url = await listen(server);
  return { url, requests, close: () => stop(server) };
}
