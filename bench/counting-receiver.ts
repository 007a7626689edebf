/**
 * Lean receivers for the benchmark: they fully decode what arrives (snappy + protobuf for Loki,
 * NDJSON for _bulk, concatenated envelopes for HEC) and count events, but keep nothing, so a
 * 5,000,000-event run measures the shipper, not the receiver's memory. Run as a child process on
 * the other core: `node --import tsx bench/counting-receiver.ts` prints its port, answers
 * GET /count with {"events":N,"requests":M}.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { decodePushRequest } from '../src/sinks/loki/push-proto.js';

let events = 0;
let requests = 0;
let down = process.env.BENCH_RECEIVER_DOWN === '1';

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
    const url = req.url ?? '/';
    if (url === '/count') {
      res.end(JSON.stringify({ events, requests }));
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
    if (url.startsWith('/loki/api/v1/push')) {
      const push = decodePushRequest(snappy.uncompress(body));
      for (const s of push.streams) events += s.entries.length;
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
