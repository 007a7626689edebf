/**
 * Lean receivers for the benchmark: they fully decode what arrives (snappy + protobuf for Loki,
 * NDJSON for _bulk, concatenated envelopes for HEC) and count events, but keep nothing, so a
 * 5,000,000-event run measures the shipper, not the receiver's memory. Run as a child process on
 * the other core: `node --import tsx bench/counting-receiver.ts` prints its port, answers
 * GET /count with {"events":N,"requests":M,"firstAt":T,"lastAt":T}.
 *
 * Times are taken here, where the data arrives, on the clock of bench/epoch-ms.ts (wall-clock ms
 * the other bench processes share), so the bench compares them with its own stamps instead of
 * polling /count and adding the poll's delay:
 * - firstAt / lastAt: when the first / last counted request had fully arrived (absent before one);
 * - delivery latency: a Loki entry whose line carries `"bench_sent_ms":<ms>` (the paced writer of
 *   bench/audit-rate.ts stamps each line as it writes it) counts arrival − sent. GET
 *   /latency?since=<ms> answers {"count":N,"p50":ms,"p99":ms,"max":ms} over the lines sent from
 *   then on; only stamped lines are kept (two numbers each).
 * POST /reset zeroes everything (one receiver for several short runs).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { decodePushRequest } from '../src/sinks/loki/push-proto.js';
import { epochMs } from './epoch-ms.js';
import { percentileOfSorted } from './stats.js';

let events = 0;
let requests = 0;
let firstAt: number | undefined;
let lastAt: number | undefined;
/** [sent, arrival − sent] of each stamped line. */
let latencies: (readonly [number, number])[] = [];
let down = process.env.BENCH_RECEIVER_DOWN === '1';

const SENT = '"bench_sent_ms":';

/** arrival − sent of a line the paced writer stamped; lines without the stamp cost one indexOf. */
function recordLatency(line: string, arrivedAt: number): void {
  const at = line.indexOf(SENT);
  if (at === -1) return;
  const sent = Number.parseFloat(line.slice(at + SENT.length, at + SENT.length + 24));
  if (Number.isFinite(sent)) latencies.push([sent, arrivedAt - sent]);
}

/** Over the lines sent at or after `since` (wall-clock ms): start-up and warm-up left out. */
function latencySummary(since: number): { count: number; p50: number; p99: number; max: number } {
  const sorted = latencies
    .filter(([sent]) => sent >= since)
    .map(([, ms]) => ms)
    .sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: percentileOfSorted(sorted, 100),
  };
}

function countHecEnvelopes(body: string): number {
  // Envelopes are JSON objects back to back; count top-level objects with a string-aware scan.
  let depth = 0;
  let inString = false;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) n++;
  }
  return n;
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const arrivedAt = epochMs();
    const url = req.url ?? '/';
    if (url === '/count') {
      res.end(JSON.stringify({ events, requests, firstAt, lastAt }));
      return;
    }
    if (url.startsWith('/latency')) {
      const since = Number(new URL(url, 'http://x').searchParams.get('since') ?? 0);
      res.end(JSON.stringify(latencySummary(since)));
      return;
    }
    if (url === '/reset') {
      events = 0;
      requests = 0;
      firstAt = lastAt = undefined;
      latencies = [];
      res.end('ok');
      return;
    }
    if (url === '/down') {
      down = true;
      res.end('ok');
      return;
    }
    if (url === '/up') {
      down = false;
      res.end('ok');
      return;
    }
    if (down) {
      res.writeHead(503).end('down');
      return;
    }
    requests++;
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const isData = /^\/(loki\/api\/v1\/push|_bulk|services\/collector\/event)/.test(url);
    if (isData) {
      // The ES version probe (GET /) is not a delivery.
      firstAt ??= arrivedAt;
      lastAt = arrivedAt;
    }
    if (url.startsWith('/loki/api/v1/push')) {
      const push = decodePushRequest(snappy.uncompress(body));
      for (const s of push.streams) {
        events += s.entries.length;
        for (const e of s.entries) recordLatency(e.line, arrivedAt);
      }
      res.writeHead(204).end();
    } else if (url.startsWith('/_bulk')) {
      const lines = body.toString('utf8').split('\n');
      const items: string[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        JSON.parse(lines[i + 1]!);
        items.push('{"create":{"status":201}}');
      }
      events += items.length;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(`{"took":1,"errors":false,"items":[${items.join(',')}]}`);
    } else if (url.startsWith('/services/collector/event')) {
      events += countHecEnvelopes(body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    } else if (url === '/') {
      res.end('{"name":"bench","cluster_name":"bench","version":{"number":"8.15.0"}}');
    } else {
      res.writeHead(404).end();
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
