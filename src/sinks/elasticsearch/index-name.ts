/**
 * Index names from a strftime-like pattern (%Y %m %d %H, %% for a literal %), resolved from the
 * EVENT's time in UTC: an event always lands in the same index whatever the shipper's time zone
 * and however late it is delivered (a replay after an outage must not move events to "today").
 *
 * Resolving is memoised per hour (or per day, or once, depending on the finest directive used),
 * so the hot path is one division and one cache hit per event.
 */

type Directive = 'Y' | 'm' | 'd' | 'H';
/** A literal run of text, or a directive (boxed so a literal "Y" is never mistaken for %Y). */
type Part = string | { readonly d: Directive };

const DIRECTIVES = new Set(['Y', 'm', 'd', 'H']);
/** Characters Elasticsearch refuses in index names (and ':' since 7.0). */
const FORBIDDEN = /[\\/*?"<>|, #:]/;
const MAX_NAME_BYTES = 255;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Events are mostly in time order; this only bounds memory when they are not. */
const CACHE_LIMIT = 1024;

/** Config-time check: the error text, or undefined when the pattern is a valid index name pattern. */
export function checkIndexPattern(pattern: string): string | undefined {
  if (pattern === '') return 'index name is empty';
  const parsed = parse(pattern);
  if (typeof parsed === 'string') return parsed;
  const literal = parsed.filter((p) => typeof p === 'string').join('');
  if (literal !== literal.toLowerCase()) return `index name "${pattern}" must be lowercase`;
  const bad = FORBIDDEN.exec(literal);
  if (bad) return `index name "${pattern}" contains "${bad[0]}", which Elasticsearch forbids`;
  const first = parsed[0];
  if (typeof first === 'string' && /^[-_+]/.test(first)) {
    return `index name "${pattern}" must not start with "-", "_" or "+"`;
  }
  if (parsed.length === 1 && (literal === '.' || literal === '..'))
    return `index name "${pattern}" is not allowed`;
  const bytes = parsed.reduce(
    (n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : p.d === 'Y' ? 4 : 2),
    0,
  );
  if (bytes > MAX_NAME_BYTES) return `index name "${pattern}" is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** Maps an event time (ms since the epoch) to its index name. Throws on an invalid pattern (a bug: config checks it). */
export function createIndexNamer(pattern: string): (timeMs: number) => string {
  const parsed = parse(pattern);
  if (typeof parsed === 'string') throw new Error(parsed);
  const hasHour = parsed.some((p) => typeof p !== 'string' && p.d === 'H');
  const hasDate = parsed.some((p) => typeof p !== 'string');
  if (!hasDate) {
    const constant = parsed.filter((p) => typeof p === 'string').join('');
    return () => constant;
  }
  const bucketMs = hasHour ? HOUR_MS : DAY_MS;
  const cache = new Map<number, string>();
  let lastBucket = Number.NaN;
  let lastName = '';

  return (timeMs) => {
    const bucket = Math.floor(timeMs / bucketMs);
    if (bucket === lastBucket) return lastName;
    let name = cache.get(bucket);
    if (name === undefined) {
      name = render(parsed, new Date(bucket * bucketMs));
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(bucket, name);
    }
    lastBucket = bucket;
    lastName = name;
    return name;
  };
}

function parse(pattern: string): Part[] | string {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c !== '%') {
      literal += c;
      continue;
    }
    const d = pattern[i + 1];
    i++;
    if (d === '%') {
      literal += '%';
    } else if (d !== undefined && DIRECTIVES.has(d)) {
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ d: d as Directive });
    } else {
      return d === undefined
        ? `index name "${pattern}" ends with a lone "%" (write %% for a literal %)`
        : `index name "${pattern}" uses unknown directive "%${d}" (known: %Y %m %d %H %%)`;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

function render(parts: readonly Part[], date: Date): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if (p.d === 'Y') out += String(date.getUTCFullYear()).padStart(4, '0');
    else if (p.d === 'm') out += pad2(date.getUTCMonth() + 1);
    else if (p.d === 'd') out += pad2(date.getUTCDate());
    else out += pad2(date.getUTCHours());
  }
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
