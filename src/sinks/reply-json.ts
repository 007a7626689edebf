/**
 * A receiver's reply body read as JSON. Replies are not always JSON (a proxy's HTML page, plain
 * text, a cut-off body), and that is an answer to report, not an error: undefined, never a throw.
 */

/** The parsed body, or undefined when it is not JSON (JSON itself never yields undefined). */
export function parseReplyJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** The body's top-level object, or undefined when it is not a JSON object (or is an array). */
export function replyObject(body: string): Record<string, unknown> | undefined {
  const parsed = parseReplyJson(body);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
