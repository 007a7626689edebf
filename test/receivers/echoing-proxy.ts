/**
 * A gateway in front of a real test receiver, like the API gateways and auth proxies whose error
 * pages quote the credentials of the request they refused. For each request, `decide` either
 * answers it itself (typically with a body built from the request's Authorization header) or
 * passes it through: the request goes unchanged to the receiver behind, and its reply comes back
 * unchanged.
 */
import {
  startScriptedReceiver,
  type ReceivedRequest,
  type ScriptedReceiver,
  type ScriptedReply,
} from './scripted-receiver.js';

export type ProxyDecision = ScriptedReply | 'pass';

// Hop-by-hop and framing headers: the proxy frames its own messages.
const NOT_RELAYED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

export async function startEchoingProxy(
  upstreamUrl: string,
  decide: (request: ReceivedRequest) => ProxyDecision,
): Promise<ScriptedReceiver> {
  return startScriptedReceiver(async (request) => {
    const decision = decide(request);
    return decision === 'pass' ? relay(upstreamUrl, request) : decision;
  });
}

async function relay(upstreamUrl: string, request: ReceivedRequest): Promise<ScriptedReply> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!NOT_RELAYED.has(name) && value !== undefined) headers[name] = String(value);
  }
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const response = await fetch(upstreamUrl + request.url, {
    method: request.method,
    headers,
    ...(hasBody ? { body: request.rawBody } : {}),
  });
  const replyHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!NOT_RELAYED.has(name) && name !== 'content-encoding') replyHeaders[name] = value;
  });
  return { status: response.status, headers: replyHeaders, body: await response.text() };
}
