/**
 * The canonical text of a JSON value, the form the integrity chain digests (docs/integrity.md).
 *
 * Why a canonical form: a sink may hand an event back with its keys in another order (Elasticsearch
 * rebuilds `_source` in synthetic-source / logsdb mode) or re-serialised with other whitespace, and
 * the verifier must still compute the digest the shipper computed. This is RFC 8785 (JSON
 * Canonicalization Scheme) for the values JSON.parse produces:
 * - object members sorted by key, comparing UTF-16 code units (JavaScript's default string order,
 *   which is what RFC 8785 §3.2.3 specifies);
 * - numbers and strings serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2 adopts
 *   exactly that serialisation), no whitespace.
 * Both sides parse with JSON.parse, so an integer beyond 2^53 is rounded the same way on both.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // JSON.parse never yields undefined, functions or non-finite numbers; a caller passing one is a bug.
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`not a JSON value: ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return out + ']';
  }
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    out +=
      (i === 0 ? '' : ',') +
      JSON.stringify(key) +
      ':' +
      canonicalJson((value as Record<string, unknown>)[key]);
  }
  return out + '}';
}
