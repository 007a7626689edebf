/**
 * A copy of the Config safe to print or log: every key declared `secret` (password, bearer_token,
 * api_key, token: sink-shared.ts and each sink's config.ts; a Forward input's shared_key) and every header value (they often
 * carry credentials) becomes "[redacted]". Keys are matched by name wherever they appear, so a
 * secret declared later is covered wherever its name is used.
 */
import { secretKeys } from './declare.js';
import { fileSchema } from './file-schema.js';
import { inputKinds } from './input-kinds.js';
import { sinkKinds } from './sink-kinds.js';
import type { Config } from './types.js';

export const REDACTED = '[redacted]';

/** Read on use: the sinks and inputs declare their secrets as they register (sink-kinds.ts, input-kinds.ts). */
const declaredSecrets = () =>
  secretKeys([
    fileSchema,
    ...sinkKinds().map((kind) => kind.schema),
    ...inputKinds().map((kind) => kind.schema),
  ]);

export function isSecretKey(key: string): boolean {
  return declaredSecrets().has(key);
}

function redact(value: unknown, secret: boolean, secrets: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, secret, secrets));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        redact(inner, secret || key === 'headers' || secrets.has(key), secrets),
      ]),
    );
  }
  return secret && value !== undefined ? REDACTED : value;
}

export function redactConfig(config: Config): unknown {
  return redact(config, false, declaredSecrets());
}
