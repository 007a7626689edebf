/**
 * Text of an event value for a receiver field that only holds strings (Loki labels and structured
 * metadata, Splunk HEC indexed fields): objects and arrays become their JSON text.
 *
 * Invariant: never throws. JSON.stringify recurses, so a value nested a few thousand levels deep
 * overflows the stack (RangeError); the classifier refuses such lines (input.max_depth), but a
 * journal written before that limit existed may still hold one. The caller gets the failure as a
 * value and leaves the field out, so one odd value never stops a sink.
 */

/** Why a value has no text. */
export interface Unrenderable {
  readonly unrenderable: string;
}

/**
 * A JSON number out of double range (1e400) parses to Infinity, which has no JSON text: printing
 * "Infinity" would index a value the event never had.
 */
export const NOT_FINITE: Unrenderable = {
  unrenderable: 'is a number out of range (JSON.parse made it Infinity): it has no exact text',
};

/** JSON text of `value`, or why there is none (undefined → "undefined", as JSON.stringify says). */
export function jsonText(value: unknown): string | Unrenderable {
  try {
    return JSON.stringify(value) ?? 'undefined';
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { unrenderable: `cannot be serialised as JSON (${message})` };
  }
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character (surrogate pairs stay whole). */
export function cutUtf8(text: string, maxBytes: number): string {
  // 3 bytes per UTF-16 unit at most (a pair: 4 bytes for 2 units), so short strings fit as they are.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3; // a lone surrogate is written as U+FFFD: 3 bytes
    let units = 1;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        units = 2;
      }
    }
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return text;
}
