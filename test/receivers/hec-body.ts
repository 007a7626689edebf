/**
 * Reading a HEC event body as Splunk does: JSON envelopes concatenated with no separator, split by
 * structure (a `}{` inside a string stays inside its event), and each envelope checked for the
 * HEC error code Splunk would answer with. For the HEC test receiver (hec-receiver.ts).
 */

export interface HecEnvelope {
  readonly time?: unknown;
  readonly host?: unknown;
  readonly source?: unknown;
  readonly sourcetype?: unknown;
  readonly index?: unknown;
  readonly event: unknown;
  readonly fields?: Readonly<Record<string, string | readonly string[]>>;
  /** The envelope's text exactly as it arrived. */
  readonly raw: string;
  readonly channel?: string;
  readonly ackId?: number;
  /** Which indexer stored it (0 without a balancer). */
  readonly indexer: number;
}

/**
 * Splits `{…}{…} {…}` into the objects' texts by tracking strings and nesting, never by looking
 * for `}{`. Returns 'empty' for a blank body, or the number of the first malformed object.
 */
export function splitConcatenatedJson(text: string): string[] | 'empty' | number {
  const { parts, malformed } = scanConcatenatedJson(text);
  if (malformed) return parts.length;
  return parts.length === 0 ? 'empty' : parts;
}

/** The well-formed objects' texts up to the first malformed one, and whether there was one. */
export function scanConcatenatedJson(text: string): { parts: string[]; malformed: boolean } {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return { parts, malformed: false };
    if (text[i] !== '{') return { parts, malformed: true };
    let depth = 0;
    let inString = false;
    let j = i;
    for (; j < text.length; j++) {
      const c = text[j];
      if (inString) {
        if (c === '\\') j++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if ((c === '}' || c === ']') && --depth === 0) break;
    }
    if (j >= text.length) return { parts, malformed: true };
    parts.push(text.slice(i, j + 1));
    i = j + 1;
  }
}

/** The decoded envelope, or the HEC error code Splunk would answer for it. */
export function checkEnvelope(
  raw: string,
  indexes: readonly string[] | undefined,
): Omit<HecEnvelope, 'raw' | 'indexer'> | number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 6;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 6;
  const envelope = parsed as Record<string, unknown>;
  const { event, fields, time, index } = envelope;
  if (event === undefined || event === null) return 12;
  if (typeof event === 'string' && event.trim() === '') return 13;
  if (typeof event === 'object' && Object.keys(event).length === 0) return 13;
  if (
    time !== undefined &&
    typeof time !== 'number' &&
    !(typeof time === 'string' && /^\d+(\.\d+)?$/.test(time))
  ) {
    return 6;
  }
  if (fields !== undefined) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return 15;
    for (const value of Object.values(fields)) {
      const ok =
        typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
      if (!ok) return 15;
    }
  }
  if (indexes !== undefined && index !== undefined && (typeof index !== 'string' || !indexes.includes(index)))
    return 7;
  return envelope as unknown as Omit<HecEnvelope, 'raw' | 'indexer'>;
}
