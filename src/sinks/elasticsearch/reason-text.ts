/**
 * Receiver error texts as they appear in reasons, log lines and dead-letter details: always cut to
 * a bounded length, so a receiver's huge error page never floods a log or a dead-letter record.
 */

/** Receiver error texts are cut to this many characters in reasons and dead-letter details. */
export const MAX_REASON_CHARS = 1024;

/** "type: reason (caused by type: reason)", cut to MAX_REASON_CHARS. */
export function describe(error: unknown): string {
  if (!error || typeof error !== 'object') return typeof error === 'string' ? cut(error) : 'unknown error';
  const e = error as { type?: unknown; reason?: unknown; caused_by?: unknown };
  let text = `${asText(e.type ?? 'error')}: ${asText(e.reason ?? '')}`;
  const cause = e.caused_by as { type?: unknown; reason?: unknown } | undefined;
  if (cause && typeof cause === 'object')
    text += ` (caused by ${asText(cause.type)}: ${asText(cause.reason)})`;
  return cut(text);
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined');
}

export function cut(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
