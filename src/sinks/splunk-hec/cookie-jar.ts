/**
 * A small cookie jar for one HEC channel, so a load balancer's sticky cookie sends our event posts
 * and ack polls to the indexer that took them (ackIds are numbered per channel *per indexer*).
 * Pure: time comes in as an argument.
 *
 * Invariants:
 * - Only what stickiness needs: name=value, `Max-Age` (wins) and `Expires`; a cookie with no
 *   expiry lives as long as the process. Domain and Path are ignored: every request of the jar
 *   goes to one origin, under /services/collector.
 * - Bounded: at most MAX_COOKIES cookies of at most MAX_COOKIE_BYTES each; more are ignored.
 * - Values are secrets to the logs: nothing here logs, and `values()` lets the caller scrub them.
 */

export const MAX_COOKIES = 16;
export const MAX_COOKIE_BYTES = 4096;

export interface CookieJar {
  /** Takes a reply's Set-Cookie header(s). A past expiry or `Max-Age<=0` removes the cookie. */
  store(setCookie: string | readonly string[] | undefined, nowMs: number): void;
  /** Takes the cookies of a request's Cookie header (`a=1; b=2`), with no expiry. */
  storeCookieHeader(cookie: string | undefined): void;
  /** The Cookie header for a request now, or undefined when the jar holds nothing live. */
  header(nowMs: number): string | undefined;
  /** Every value held, to scrub from anything that might be logged. */
  values(): string[];
}

interface Cookie {
  readonly value: string;
  /** Unix ms; undefined = until the process ends. */
  readonly expiresAtMs: number | undefined;
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, Cookie>();

  const put = (name: string, cookie: Cookie, nowMs: number | undefined): void => {
    if (cookie.expiresAtMs !== undefined && nowMs !== undefined && cookie.expiresAtMs <= nowMs) {
      cookies.delete(name);
      return;
    }
    if (!cookies.has(name) && cookies.size >= MAX_COOKIES) return;
    cookies.set(name, cookie);
  };

  return {
    store(setCookie, nowMs) {
      const lines = setCookie === undefined ? [] : typeof setCookie === 'string' ? [setCookie] : setCookie;
      for (const line of lines) {
        const parsed = parseSetCookie(line, nowMs);
        if (parsed) put(parsed.name, parsed.cookie, nowMs);
      }
    },
    storeCookieHeader(cookie) {
      for (const pair of (cookie ?? '').split(';')) {
        const parsed = parsePair(pair);
        if (parsed) put(parsed.name, { value: parsed.value, expiresAtMs: undefined }, undefined);
      }
    },
    header(nowMs) {
      const pairs: string[] = [];
      for (const [name, cookie] of cookies) {
        if (cookie.expiresAtMs !== undefined && cookie.expiresAtMs <= nowMs) cookies.delete(name);
        else pairs.push(`${name}=${cookie.value}`);
      }
      return pairs.length === 0 ? undefined : pairs.join('; ');
    },
    values: () => Array.from(cookies.values(), (c) => c.value),
  };
}

/** `name=value; Max-Age=60; Expires=…; Path=/…` → name, value and expiry; undefined if unusable. */
export function parseSetCookie(line: string, nowMs: number): { name: string; cookie: Cookie } | undefined {
  if (Buffer.byteLength(line, 'utf8') > MAX_COOKIE_BYTES) return undefined;
  const [first = '', ...attributes] = line.split(';');
  const pair = parsePair(first);
  if (!pair) return undefined;
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    const key = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : attribute.slice(eq + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    else if (key === 'expires') {
      const at = Date.parse(value);
      if (Number.isFinite(at)) expires = at;
    }
  }
  const expiresAtMs = maxAge !== undefined ? nowMs + maxAge * 1000 : expires;
  return { name: pair.name, cookie: { value: pair.value, expiresAtMs } };
}

function parsePair(text: string): { name: string; value: string } | undefined {
  const eq = text.indexOf('=');
  if (eq <= 0) return undefined;
  const name = text.slice(0, eq).trim();
  // Cookie values may be quoted; they are sent back exactly as received.
  const value = text.slice(eq + 1).trim();
  if (name === '' || /[\s;,=]/.test(name) || /[\s;,]/.test(value)) return undefined;
  return { name, value };
}
