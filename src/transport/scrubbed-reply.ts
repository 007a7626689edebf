/**
 * Replies as the HTTP transport hands them out: every text a receiver sent (body, header values,
 * network error message) passed through the secret scrubber, so anything built from a reply is
 * safe to log, serve on /readyz or write to the dead-letter file.
 *
 * Scrubbing must never change what is done with a reply, only what is said about it: a secret may
 * also occur in a reply's own content (a numeric password in `"status":201`, a token equal to an
 * ack id), and a reply altered there would be misread, and retried forever. So when scrubbing
 * changed a reply, the exact reply is kept aside (in a WeakMap: it never shows in a log, a JSON
 * dump or an inspect of the reply), readers that act on structure read both (readBoth), and
 * outcomes take their decision from the exact reply and their words from the scrubbed one
 * (decideExactly); where the two readings do not line up, the words are withheld.
 */
import type { SinkCodec } from '../contract/sink.js';
import type { HttpReply, Outcome, RejectedItem } from '../contract/outcome.js';
import type { SecretScrubber } from './secret-scrubber.js';

/** The reason given where a reply's own words cannot be shown without a secret. */
export const WITHHELD = "the receiver's text is withheld: it contains a configured secret";

const exactReplies = new WeakMap<HttpReply, HttpReply>();

export function scrubReply(reply: HttpReply, scrubber: SecretScrubber): HttpReply {
  let scrubbed: HttpReply;
  if (reply.kind === 'timeout') return reply;
  if (reply.kind === 'network_error') {
    // The code is Node's own (ECONNREFUSED…), never receiver text.
    scrubbed = { ...reply, message: scrubber.scrub(reply.message) };
  } else {
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(reply.headers)) {
      headers[name] = Array.isArray(value)
        ? value.map((v) => scrubber.scrub(v))
        : value && scrubber.scrub(value);
    }
    scrubbed = { ...reply, headers, body: scrubber.scrub(reply.body) };
  }
  if (changed(reply, scrubbed)) exactReplies.set(scrubbed, reply);
  return scrubbed;
}

/**
 * `read` applied to the exact reply (`decided`: what to do) and to the scrubbed one (`described`:
 * what to say; undefined when reading the scrubbed text failed). One call, and the same value
 * twice, when scrubbing changed nothing.
 */
export function readBoth<T>(
  reply: HttpReply,
  read: (reply: HttpReply) => T,
): { decided: T; described: T | undefined } {
  const exact = exactReplies.get(reply);
  if (exact === undefined) {
    const both = read(reply);
    return { decided: both, described: both };
  }
  let described: T | undefined;
  try {
    described = read(reply);
  } catch {
    // The scrubbed text no longer parses the way the reader expects: there is nothing to say.
  }
  return { decided: read(exact), described };
}

/** A codec's outcome, decided on the exact reply and worded from the scrubbed one. */
export function decideExactly(reply: HttpReply, classify: (reply: HttpReply) => Outcome): Outcome {
  const { decided, described } = readBoth(reply, classify);
  if (decided === described) return decided;
  switch (decided.kind) {
    case 'delivered':
    case 'awaiting_ack':
      return decided;
    case 'partial': {
      const same = described?.kind === 'partial' ? described : undefined;
      const words = new Map((same?.rejected ?? []).map((item) => [item.index, item.reason]));
      const rejected: RejectedItem[] = decided.rejected.map((item) => ({
        index: item.index,
        reason: words.get(item.index) ?? WITHHELD,
      }));
      return { ...decided, rejected, retryReason: same?.retryReason ?? WITHHELD };
    }
    default:
      return {
        ...decided,
        reason: described?.kind === decided.kind && 'reason' in described ? described.reason : WITHHELD,
      };
  }
}

/** `codec` with classify() deciding on the exact reply (decideExactly). */
export function withExactDecisions(codec: SinkCodec): SinkCodec {
  return { ...codec, classify: (reply, records) => decideExactly(reply, (r) => codec.classify(r, records)) };
}

function changed(a: HttpReply, b: HttpReply): boolean {
  if (a.kind === 'network_error' && b.kind === 'network_error') return a.message !== b.message;
  if (a.kind !== 'response' || b.kind !== 'response') return false;
  if (a.body !== b.body) return true;
  return Object.keys(a.headers).some((name) => String(a.headers[name]) !== String(b.headers[name]));
}
