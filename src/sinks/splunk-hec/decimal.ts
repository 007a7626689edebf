/**
 * HEC reads `time` (and our numeric indexed fields) as plain decimals; JavaScript prints numbers
 * below 1e-6 or from 1e21 up in exponent notation, which Splunk would not read as a time.
 */

/** `n` as a plain decimal (no exponent), or undefined when it is not finite. */
export function plainDecimal(n: number): string | undefined {
  // Fast path: every epoch time in seconds or milliseconds takes this branch.
  const text = String(n);
  if (!text.includes('e')) return Number.isFinite(n) ? text : undefined;
  return expandExponent(text);
}

// "1.5e-7" → "0.00000015", "1e+21" → "1000000000000000000000": moving the point in the shortest
// round-trip digits keeps the value exact, where toFixed() would print binary noise.
function expandExponent(text: string): string {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [mantissa = '', exponentText = '0'] = body.split('e');
  const exponent = Number(exponentText);
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  let out: string;
  if (point <= 0) {
    out = '0.' + '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    out = digits + '0'.repeat(point - digits.length);
  } else {
    out = digits.slice(0, point) + '.' + digits.slice(point);
  }
  return negative ? '-' + out : out;
}
