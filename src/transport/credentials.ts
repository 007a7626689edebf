/**
 * Authentication headers for one sink. Secrets live only in this closure and in the header object
 * handed to the transport: the Credentials object itself prints, inspects and serialises as a
 * label ("[Credentials bearer]"), and every error names a file path, never a file's content.
 *
 * File-based secrets are read once at creation (an unreadable file is bad config: throw) and again
 * on refresh() after the receiver refused us, so rotated tokens are picked up. A failed re-read
 * keeps the previous value: refresh() never throws.
 *
 * secrets() lists every secret text this sink has sent, the current one and each one a re-read
 * replaced (a receiver may still echo an older request): the transport's scrubber
 * (secret-scrubber.ts) removes them, in all their encodings, from everything a receiver says.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import type { AuthConfig } from '../config/types.js';
import type { Credentials } from '../contract/sink.js';

export interface CredentialsOptions {
  /** Splunk HEC: `Authorization: Splunk <token>`. */
  readonly scheme?: 'Splunk';
  readonly token?: string;
  readonly tokenFile?: string;
}

type Scheme = 'basic' | 'bearer' | 'apikey' | 'splunk';

interface SecretSource {
  readonly scheme: Scheme;
  /** The static secret, or undefined when it comes from `file`. */
  readonly value?: string;
  readonly file?: string;
  readonly fileLabel: string;
}

export function createCredentials(
  auth: AuthConfig,
  options: CredentialsOptions = {},
): Credentials | undefined {
  const source = pickSource(auth, options);
  if (!source) return undefined;
  const username = auth.username ?? '';

  const render = (secret: string): Readonly<Record<string, string>> => {
    switch (source.scheme) {
      case 'basic':
        return { authorization: `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}` };
      case 'bearer':
        return { authorization: `Bearer ${secret}` };
      case 'apikey':
        return { authorization: `ApiKey ${secret}` };
      case 'splunk':
        return { authorization: `Splunk ${secret}` };
    }
  };

  let current: Readonly<Record<string, string>> = {};
  let used: readonly string[] = [];
  const use = (secret: string): void => {
    current = render(secret);
    const fresh = secretTexts(source.scheme, username, secret).filter((text) => !used.includes(text));
    if (fresh.length > 0) used = Object.freeze([...used, ...fresh]);
  };
  use(source.value ?? readSecretFileSync(source.file ?? '', source.fileLabel));
  const label = `[Credentials ${source.scheme}]`;

  const credentials = {
    headers: () => current,
    secrets: () => used,
    async refresh(): Promise<void> {
      if (source.file === undefined) return;
      try {
        const secret = stripLineEnd(await readFile(source.file, 'utf8'));
        if (secret !== '') use(secret);
      } catch {
        // Keep the old value: a file mid-rotation must not turn a 401 into an outage of our own.
      }
    },
    toString: () => label,
    toJSON: () => label,
    [inspect.custom]: () => label,
  };
  return Object.freeze(credentials);
}

/**
 * The texts a receiver could echo that reveal `secret`: the secret itself and, for basic auth,
 * `user:secret` (its base64 is the header). An Elasticsearch API key is base64 of `id:key`, so its
 * decoded form and the key part are secrets too. (Encodings of these are the scrubber's job.)
 */
function secretTexts(scheme: Scheme, username: string, secret: string): string[] {
  if (secret === '') return [];
  if (scheme === 'basic') return [secret, `${username}:${secret}`];
  if (scheme === 'apikey') return [secret, ...decodedApiKey(secret)];
  return [secret];
}

function decodedApiKey(key: string): string[] {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return [];
  const decoded = Buffer.from(key, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Only a clean round trip to printable `id:key` text is an encoded API key.
  if (colon < 1 || !/^[\x21-\x7e]+$/.test(decoded)) return [];
  if (Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== key.replace(/=+$/, ''))
    return [];
  return [decoded, decoded.slice(colon + 1)].filter((text) => text !== '');
}

function pickSource(auth: AuthConfig, options: CredentialsOptions): SecretSource | undefined {
  if (options.scheme === 'Splunk' && (options.token !== undefined || options.tokenFile !== undefined)) {
    return { scheme: 'splunk', value: options.token, file: options.tokenFile, fileLabel: 'token_file' };
  }
  if (options.scheme === 'Splunk') throw new Error('splunk_hec needs token or token_file');
  if (auth.password !== undefined || auth.password_file !== undefined) {
    return { scheme: 'basic', value: auth.password, file: auth.password_file, fileLabel: 'password_file' };
  }
  if (auth.bearer_token !== undefined || auth.bearer_token_file !== undefined) {
    return {
      scheme: 'bearer',
      value: auth.bearer_token,
      file: auth.bearer_token_file,
      fileLabel: 'bearer_token_file',
    };
  }
  if (auth.api_key !== undefined || auth.api_key_file !== undefined) {
    return { scheme: 'apikey', value: auth.api_key, file: auth.api_key_file, fileLabel: 'api_key_file' };
  }
  if (auth.username !== undefined) return { scheme: 'basic', value: '', fileLabel: 'password_file' };
  return undefined;
}

function readSecretFileSync(path: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new Error(`cannot read ${label} ${path}: ${code}`);
  }
  const secret = stripLineEnd(text);
  if (secret === '') throw new Error(`${label} ${path} is empty`);
  return secret;
}

// Secret files usually end with one newline (echo, Kubernetes secrets edited by hand).
function stripLineEnd(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}
