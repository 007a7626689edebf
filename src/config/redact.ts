/**
 * A copy of the Config safe to print or log: every secret (password, bearer_token, api_key,
 * token) and every header value (they often carry credentials) becomes "[redacted]". Keys are
 * matched wherever they appear, so a secret added to types.ts later is covered by its name.
 */
import type { Config } from './types.js';

export const REDACTED = '[redacted]';
const SECRET_KEYS = new Set(['password', 'bearer_token', 'api_key', 'token']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key);
}

function redact(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, secret));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        redact(inner, secret || key === 'headers' || SECRET_KEYS.has(key)),
      ]),
    );
  }
  return secret && value !== undefined ? REDACTED : value;
}

export function redactConfig(config: Config): unknown {
  return redact(config, false);
}
