/**
 * The HEC sink's transport: the shared HTTP transport plus the channel's cookie jar, so a load
 * balancer with sticky cookies sends the channel's event posts and ack polls to the indexer that
 * took them. Splunk numbers ackIds per channel *per indexer*: without stickiness, indexer B's
 * `true` for id 3 would confirm the batch indexer A took as id 3.
 *
 * Invariants:
 * - A request without its own Cookie header carries the jar's cookies; every reply's Set-Cookie
 *   updates the jar (event posts and polls alike).
 * - For each reply that hands out an ackId, the cookies that reached its indexer (those sent,
 *   overlaid with the reply's Set-Cookie) are kept as that ackId's route until the acknowledger
 *   takes them (at most MAX_ROUTES), so its polls go where the batch went even if the jar has
 *   moved on since (requests in flight together, a balancer that re-issues its cookie).
 * - Cookie values never reach anything that may be logged: Set-Cookie is removed from the replies
 *   passed on, and cookie values are scrubbed from reply bodies and error messages.
 */
import type { Clock } from '../../clock.js';
import type { HttpReply } from '../../contract/outcome.js';
import type { Transport } from '../../contract/sink.js';
import { ackIdOf, parseHecReplyBody } from './classify.js';
import { createCookieJar } from './cookie-jar.js';
import { HEC_EVENT_PATH } from './encode.js';

const MAX_ROUTES = 256;
/** Shorter values are not worth scrubbing (and would mangle ordinary text). */
const MIN_SCRUB_LENGTH = 4;

export interface AckRoutes {
  /**
   * The Cookie header that reached the indexer which handed out `ackId` ('' when no cookies were
   * involved), oldest such reply first; undefined when no reply handed it out. Taken only once.
   */
  takeRoute(ackId: number): string | undefined;
}

export interface StickyTransport extends Transport, AckRoutes {}

/** `cookie`: a Cookie header the user configured (sink `headers`); its cookies start the jar. */
export function createStickyTransport(inner: Transport, clock: Clock, cookie?: string): StickyTransport {
  const jar = createCookieJar();
  // Sent with the balancer's from the first request on; a request's own Cookie header would
  // otherwise replace the configured one.
  jar.storeCookieHeader(cookie);
  const routes: { readonly ackId: number; readonly route: string }[] = [];

  const noteRoute = (body: string, route: string): void => {
    const hec = parseHecReplyBody(body);
    const ackId = hec?.code === 0 ? ackIdOf(hec) : undefined;
    if (ackId === undefined) return;
    if (routes.length >= MAX_ROUTES) routes.shift();
    routes.push({ ackId, route });
  };

  return {
    async send(request, signal) {
      const own = request.headers.cookie;
      const cookie = own ?? jar.header(clock.now());
      const sent =
        own !== undefined || cookie === undefined
          ? request
          : { ...request, headers: { ...request.headers, cookie } };
      const reply = await inner.send(sent, signal);
      // What reached the indexer that answered: the cookies sent, overlaid with the ones it set.
      const reached = createCookieJar();
      reached.storeCookieHeader(cookie);
      if (reply.kind === 'response') {
        const setCookie = reply.headers['set-cookie'];
        jar.store(setCookie, clock.now());
        reached.store(setCookie, clock.now());
        if (request.path === HEC_EVENT_PATH && reply.status >= 200 && reply.status < 300) {
          noteRoute(reply.body, reached.header(clock.now()) ?? '');
        }
      }
      return scrubbed(reply, [...jar.values(), ...reached.values()]);
    },
    takeRoute(ackId) {
      const i = routes.findIndex((r) => r.ackId === ackId);
      return i < 0 ? undefined : routes.splice(i, 1)[0]!.route;
    },
    close: () => inner.close(),
  };
}

function scrubbed(reply: HttpReply, values: readonly string[]): HttpReply {
  const scrub = (text: string): string => {
    let clean = text;
    for (const value of values) {
      if (value.length >= MIN_SCRUB_LENGTH && clean.includes(value))
        clean = clean.split(value).join('[redacted]');
    }
    return clean;
  };
  if (reply.kind === 'network_error') return { ...reply, message: scrub(reply.message) };
  if (reply.kind !== 'response') return reply;
  const { 'set-cookie': _setCookie, ...headers } = reply.headers;
  return { ...reply, headers, body: scrub(reply.body) };
}
