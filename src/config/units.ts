/**
 * Durations ("500ms", "1h30m", or 0) and sizes ("256KiB", "100MB", or a number of bytes), parsed
 * exactly (BigInt arithmetic, so "1.5KiB" is 1536 and never 1535.9999).
 *
 * Why not a library: the common ones (`ms`, `bytes`) treat "KB" as 1024, are case-insensitive,
 * accept "1 year" or "1.5" and round silently. An audit tool's limits must mean exactly what the
 * user wrote, so ambiguous input is refused with the readings spelled out: "100KB" or "10M" (1000
 * or 1024?), and a duration without a unit ("shutdown_timeout: 20": seconds, as most tools read it,
 * or milliseconds?). Only 0 needs no unit. A plain size is bytes: there is no other reading.
 */

export type Parsed =
  { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string };

const DURATION_UNITS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n };
const SIZE_UNITS: Readonly<Record<string, bigint>> = {
  B: 1n,
  kB: 1000n,
  MB: 1000n ** 2n,
  GB: 1000n ** 3n,
  TB: 1000n ** 4n,
  KiB: 1024n,
  MiB: 1024n ** 2n,
  GiB: 1024n ** 3n,
  TiB: 1024n ** 4n,
};
/** Spellings people use that mean 1000 to some and 1024 to others. */
const AMBIGUOUS_SIZE = /^(k|K|KB|Kb|kb|M|Mb|mb|G|Gb|gb|T|Tb|tb|Ki|Mi|Gi|Ti)$/;

const fail = (reason: string): Parsed => ({ ok: false, reason });

/** `digits` may hold a fraction ("1.5"); returns digits × unit exactly, or undefined if not whole. */
function scale(digits: string, unit: bigint): bigint | undefined {
  const [whole = '0', fraction = ''] = digits.split('.');
  const numerator = BigInt(whole + fraction) * unit;
  const denominator = 10n ** BigInt(fraction.length);
  return numerator % denominator === 0n ? numerator / denominator : undefined;
}

function fromNumber(value: number, what: string): Parsed {
  if (!Number.isSafeInteger(value) || value < 0) return fail(`must be a whole number of ${what} (0 or more)`);
  return { ok: true, value };
}

/** "20" → did you mean 20s? A number this large was probably meant as milliseconds. */
function unitless(text: string): Parsed {
  if (/^0+$/.test(text)) return { ok: true, value: 0 };
  const n = Number(text);
  const guess = n >= 1000 ? `${text}ms (${formatDuration(n)})` : `${text}s`;
  return fail(`${text} has no unit: did you mean ${guess}? Write the unit: ms, s, m or h`);
}

function toSafe(total: bigint, text: string): Parsed {
  return total > BigInt(Number.MAX_SAFE_INTEGER)
    ? fail(`"${text}" is too large`)
    : { ok: true, value: Number(total) };
}

export function parseDuration(input: unknown): Parsed {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0
      ? unitless(String(input))
      : fail('must be a duration such as "500ms", "30s", "5m" or "1h30m"');
  }
  if (typeof input !== 'string') return fail('must be a duration such as "500ms", "30s", "5m" or "1h30m"');
  const text = input.trim();
  if (text === '') return fail('is empty; write a duration such as "30s"');
  if (/^\d+$/.test(text)) return unitless(text);
  if (text.startsWith('-')) return fail(`"${text}" is negative`);
  const token = /(\d+(?:\.\d+)?)([a-zA-Zµ]*)/y;
  let total = 0n;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const match = token.exec(text);
    if (!match)
      return fail(`"${text}" is not a duration (unexpected "${text.slice(at, at + 1)}"); write e.g. "1m30s"`);
    const [, digits = '', unit = ''] = match;
    const factor = DURATION_UNITS[unit];
    if (factor === undefined) {
      const why = unit === '' ? 'a unit is missing' : `unknown unit "${unit}"`;
      const extra = unit === 'd' ? ' (write days as hours, e.g. "24h")' : '';
      return fail(`"${text}" is not a duration: ${why}; use ms, s, m or h${extra}`);
    }
    const part = scale(digits, factor);
    if (part === undefined) return fail(`"${text}" is finer than a millisecond`);
    total += part;
    at = token.lastIndex;
  }
  return toSafe(total, text);
}

export function parseSize(input: unknown): Parsed {
  if (typeof input === 'number') return fromNumber(input, 'bytes');
  if (typeof input !== 'string')
    return fail('must be a size such as "256KiB", "1MiB", "100MB" or a number of bytes');
  const text = input.trim();
  if (text === '') return fail('is empty; write a size such as "1MiB"');
  const match = /^(\d+(?:\.\d+)?) ?([a-zA-Z]*)$/.exec(text);
  if (!match) return fail(`"${text}" is not a size; write e.g. "256KiB", "1MiB" or "100MB"`);
  const [, digits = '', unit = ''] = match;
  if (AMBIGUOUS_SIZE.test(unit)) {
    const base = unit.charAt(0).toUpperCase();
    const si = base === 'K' ? 'kB' : `${base}B`;
    return fail(
      `"${text}" is ambiguous: write ${digits}${si} (powers of 1000) or ${digits}${base}iB (powers of 1024)`,
    );
  }
  const factor = unit === '' ? 1n : SIZE_UNITS[unit];
  if (factor === undefined)
    return fail(`"${text}" has an unknown unit "${unit}"; use B, kB, MB, GB, KiB, MiB or GiB`);
  const total = scale(digits, factor);
  if (total === undefined) return fail(`"${text}" is not a whole number of bytes`);
  return toSafe(total, text);
}

/** 90000 → "1m30s", 500 → "500ms", 0 → "0s": the shortest exact spelling, for summaries. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** 1048576 → "1MiB", 100000000 → "100MB", 1234 → "1234B". */
export function formatSize(bytes: number): string {
  for (const unit of ['TiB', 'GiB', 'MiB', 'KiB', 'TB', 'GB', 'MB', 'kB'] as const) {
    const factor = Number(SIZE_UNITS[unit]);
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
