/**
 * The operator's HTTP endpoints: /metrics (Prometheus text), /healthz (the process is alive and
 * its event loop answers), /readyz (it can accept and deliver audit events right now).
 *
 * Off unless `metrics.address` is set; the documented address is 127.0.0.1:9431 so nothing is
 * exposed beyond the host unless the operator asks for it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready: "journal full", "sink loki refused (401) for 6m"… */
  readonly reasons: readonly string[];
}

export interface HealthServer {
  /** host:port actually bound (port 0 resolves to a real port). */
  readonly address: string;
  close(): Promise<void>;
}

export async function startHealthServer(
  address: string,
  metrics: Metrics,
  readiness: () => Readiness,
): Promise<HealthServer> {
  const { host, port } = parseAddress(address);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
        .catch((error: unknown) => res.writeHead(500).end(String(error)));
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const r = readiness();
      res
        .writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ready: r.ready, reasons: r.reasons }) + '\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}

/** "127.0.0.1:9431", "[::1]:9431", ":9431" (all interfaces: the operator's explicit choice). */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`metrics address "${address}" is not host:port (e.g. 127.0.0.1:9431)`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
