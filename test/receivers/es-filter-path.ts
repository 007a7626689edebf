/**
 * Elasticsearch's response filtering (`?filter_path=errors,items.*._id`): keep only the fields whose
 * dotted path matches one of the patterns; `*` matches any part of a name; arrays are walked through
 * (the pattern does not name them); an object left empty is dropped, and a body with nothing left
 * is `{}`. Elasticsearch filters successful replies only, never error replies.
 */

type Pattern = readonly RegExp[];

export function applyFilterPath(body: object, filterPath: string | undefined): object {
  if (filterPath === undefined || filterPath === '') return body;
  const patterns = filterPath.split(',').map((p) => p.split('.').map(globToRegExp));
  return (filter(body, patterns) as object | undefined) ?? {};
}

function filter(value: unknown, patterns: readonly Pattern[]): unknown {
  if (Array.isArray(value)) {
    const kept = value.map((v) => filter(v, patterns)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  // A leaf reached while a pattern still wants deeper names does not match it.
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const matching = patterns.filter((p) => p[0]!.test(key));
    if (matching.length === 0) continue;
    if (matching.some((p) => p.length === 1)) {
      out[key] = child; // the whole subtree is named
      continue;
    }
    const kept = filter(
      child,
      matching.map((p) => p.slice(1)),
    );
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function globToRegExp(part: string): RegExp {
  const escaped = part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}
