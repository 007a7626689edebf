/**
 * The HTTP status ladder every sink starts from (like Vector's HttpStatusRetryLogic): which step a
 * status is on, and what that step means unless the sink's receiver says otherwise. Each sink's
 * classify.ts overrides only the steps where its receiver differs (Loki's 260 and 400, an
 * Elasticsearch bulk 200, HEC's codes…) and words its own reasons. Pure.
 */
import type { HttpReply, Outcome, RetryClass } from '../contract/outcome.js';

export type StatusStep =
  /** 2xx */
  | 'success'
  /** 429: retried, honouring Retry-After. */
  | 'rate_limited'
  /** 408: a proxy gave up waiting for our body; nothing was stored. */
  | 'request_timeout'
  /** 5xx */
  | 'server_error'
  /** 413: the request is too large; halved. */
  | 'too_large'
  /** 401, 403: credentials or permissions. */
  | 'unauthorized'
  /** 404: a wrong URL. */
  | 'not_found'
  /** 3xx: a wrong URL (redirects are not followed). */
  | 'redirect'
  /** 400 */
  | 'bad_request'
  /** Any other 4xx. */
  | 'client_error'
  /** 1xx or out of range: not an answer we understand. */
  | 'unexpected';

export function statusStep(status: number): StatusStep {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'request_timeout';
  if (status >= 500) return 'server_error';
  if (status === 413) return 'too_large';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 300 && status < 400) return 'redirect';
  if (status === 400) return 'bad_request';
  if (status >= 400) return 'client_error';
  return 'unexpected';
}

/**
 * The default meaning of a step: 2xx delivered; 429, 408 and 5xx retried (with Retry-After); 413
 * split; 401/403/404/3xx blocked (configuration: keep the events); other 4xx rejected; anything
 * else retried as a server error.
 */
export function defaultStatusOutcome(step: StatusStep, reason: string, retryAfter?: string): Outcome {
  switch (step) {
    case 'success':
      return { kind: 'delivered' };
    case 'rate_limited':
      return retryOutcome('rate_limited', reason, retryAfter);
    case 'request_timeout':
      return retryOutcome('timeout', reason, retryAfter);
    case 'server_error':
    case 'unexpected':
      return retryOutcome('server_error', reason, retryAfter);
    case 'too_large':
      return { kind: 'split', reason };
    case 'unauthorized':
    case 'not_found':
    case 'redirect':
      return { kind: 'blocked', reason };
    case 'bad_request':
    case 'client_error':
      return { kind: 'rejected', reason };
  }
}

/** A retry, carrying the receiver's Retry-After (raw) when it sent one. */
export function retryOutcome(cls: RetryClass, reason: string, retryAfter?: string): Outcome {
  return retryAfter === undefined
    ? { kind: 'retry', class: cls, reason }
    : { kind: 'retry', class: cls, reason, retryAfter };
}

/** The reply's Retry-After header, raw (the retry policy reads seconds or an HTTP date). */
export function retryAfterOf(reply: Extract<HttpReply, { kind: 'response' }>): string | undefined {
  const value = reply.headers['retry-after'];
  return Array.isArray(value) ? value[0] : value;
}
