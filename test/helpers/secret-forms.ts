/**
 * The ways a receiver, proxy or gateway can echo a secret, written with the standard library's own
 * encoders (not the scrubber's patterns), and an oracle that tells whether a text still reveals a
 * secret in any of them. Shared by the scrubber's unit tests and the echoing-receiver tests.
 */

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const jsonInner = (text: string) => JSON.stringify(text).slice(1, -1);
const unicodeEscape = (char: string, upper: boolean) => {
  let out = '';
  for (let i = 0; i < char.length; i++) {
    const hex = char.charCodeAt(i).toString(16).padStart(4, '0');
    out += '\\u' + (upper ? hex.toUpperCase() : hex);
  }
  return out;
};
const html = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** name → the secret as that encoder writes it. `user` adds the basic-auth forms. */
export function echoForms(secret: string, user?: string): Record<string, string> {
  const pair = user === undefined ? secret : `${user}:${secret}`;
  return {
    raw: secret,
    'user:secret': pair,
    'basic header': `Basic ${b64(pair)}`,
    'base64 of user:secret': b64(pair),
    'base64 of the secret alone': b64(secret),
    'base64url of the secret': b64url(secret),
    'base64 inside a longer text': b64(`Authorization failed for ${pair} at gateway`),
    'base64 with JSON-escaped slashes (PHP)': b64(pair).replace(/\//g, '\\/'),
    'percent-encoded': encodeURIComponent(secret),
    'percent-encoded user:secret': encodeURIComponent(pair),
    'percent-encoded, lower-case hex': encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) =>
      m.toLowerCase(),
    ),
    'form-encoded': new URLSearchParams({ p: secret }).toString().slice(2),
    'JSON-escaped': jsonInner(secret),
    'JSON inside JSON': jsonInner(JSON.stringify({ password: secret })),
    'JSON, Go style (<>& escaped)': jsonInner(secret).replace(/[<>&]/g, (c) => unicodeEscape(c, false)),
    'JSON, ASCII only (Python)': jsonInner(secret).replace(/[^\x20-\x7e]/gu, (c) => unicodeEscape(c, false)),
    'JSON, ASCII only, upper-case hex': jsonInner(secret).replace(/[^\x20-\x7e]/gu, (c) =>
      unicodeEscape(c, true),
    ),
    'HTML-escaped': html(pair),
  };
}

/** Whether `text` still shows `secret`: in any echo form, or in base64 at any alignment. */
export function revealsSecret(text: string, secret: string, user?: string): string | undefined {
  for (const [name, form] of Object.entries(echoForms(secret, user))) {
    if (text.includes(form)) return name;
  }
  // Independent of alignment: decode every base64-looking run from each of its first 4 offsets.
  for (const run of text.match(/[A-Za-z0-9+/_-]{4,}={0,2}/g) ?? []) {
    for (let offset = 0; offset < 4; offset++) {
      for (const encoding of ['base64', 'base64url'] as const) {
        if (Buffer.from(run.slice(offset), encoding).toString('latin1').includes(latin1(secret)))
          return `base64 at offset ${offset}`;
      }
    }
  }
  return undefined;
}

// Compares bytes, not characters: a decoded run need not be valid UTF-8 around the secret.
function latin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * What a receiver can read out of our Authorization header: the secret, and the user (basic auth)
 * or key id (an Elasticsearch API key, base64 of `id:key`).
 */
export function credentialsIn(authorization: string): { readonly secret: string; readonly user?: string } {
  const space = authorization.indexOf(' ');
  const scheme = authorization.slice(0, space);
  const value = authorization.slice(space + 1);
  if (scheme !== 'Basic' && scheme !== 'ApiKey') return { secret: value };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** A receiver's echo of the credentials it got, one form per entry (joined, or one per reply). */
export function echoesOf(authorization: string): string[] {
  const { secret, user } = credentialsIn(authorization);
  return Object.entries(echoForms(secret, user)).map(([name, form]) => `${name}: ${form}`);
}
