/**
 * A load balancer's routing by sticky cookie, as HAProxy/ALB/F5 do it for Splunk indexers: a
 * request carrying a valid `<name>=<value>` cookie goes to the backend that value names; any other
 * request goes to the next backend in turn, and the reply sets the cookie naming it.
 * Values are long and random per backend (a real balancer's are opaque), so a test can look for
 * them in logs.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const STICKY_COOKIE = 'hec_lb';

export interface StickyBalancer {
  /** The cookie value that pins a client to each backend. */
  readonly values: readonly string[];
  /** The backend for a request, and the Set-Cookie to add to its reply when it was not pinned. */
  route(headers: IncomingHttpHeaders): { backend: number; setCookie?: string };
}

export function createStickyBalancer(backends: number, maxAgeSeconds?: number): StickyBalancer {
  const values = Array.from(
    { length: backends },
    (_, i) => `indexer-${i}.${randomBytes(12).toString('hex')}`,
  );
  let next = 0;
  return {
    values,
    route(headers) {
      const pinned = values.indexOf(cookieValue(headers.cookie, STICKY_COOKIE) ?? '');
      if (pinned >= 0) return { backend: pinned };
      const backend = next;
      next = (next + 1) % backends;
      const expiry = maxAgeSeconds === undefined ? '' : `; Max-Age=${maxAgeSeconds}`;
      return { backend, setCookie: `${STICKY_COOKIE}=${values[backend]}; Path=/; HttpOnly${expiry}` };
    },
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}
