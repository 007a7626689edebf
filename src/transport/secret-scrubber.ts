/**
 * The one place receiver text loses our secrets. Every reply body, reply header and network error
 * message an HTTP sink gets passes through scrub() in the transport (http-transport.ts, via
 * scrubbed-reply.ts) before any code can turn it into a reason: a log line, a retry warning,
 * `lastError` (/readyz), an ack-poll report, the startup check's log, or the `detail` of a
 * dead-letter record.
 *
 * Invariants:
 * - A secret is replaced in every form a receiver, proxy or gateway is known to echo it in:
 *   as is (so also inside `user:secret`); percent-encoded (either hex case, `+` for a space);
 *   JSON-escaped at any nesting depth (`\"`, `\\\"`, `\/`, `\u00e9` or `\u00E9`: JavaScript's, Go's
 *   and Python's styles); HTML-escaped (`&amp;`, `&#38;`, `&#x26;`); and base64 or base64url at each
 *   of the three byte alignments, so the base64 of any text containing the secret (an echoed
 *   `Authorization: Basic base64(user:secret)`, the token alone) is caught whatever surrounds it.
 *   Forms mix freely: each character of the secret is matched in any of its escapes.
 * - Secrets of any length are scrubbed (a 2-character password makes reasons ugly, never leaky).
 * - The set only grows: a token replaced by a rotation stays scrubbed, since a receiver may still
 *   echo a request sent with it.
 * - Text that holds no secret comes back unchanged.
 */
import { REDACTED } from '../config/redact.js';

export interface SecretScrubber {
  /** `text` with every form of every known secret replaced by "[redacted]". */
  scrub(text: string): string;
}

/** `secrets` is asked on every scrub (keep it cheap), so a re-read token is scrubbed from its first use. */
export function createSecretScrubber(secrets: () => Iterable<string>): SecretScrubber {
  const known = new Set<string>();
  let matcher: RegExp | undefined;
  return {
    scrub(text) {
      let grew = false;
      for (const secret of secrets()) {
        if (secret === '' || known.has(secret)) continue;
        known.add(secret);
        grew = true;
      }
      if (grew) matcher = compile(known);
      if (matcher === undefined || text === '') return text;
      return text.replace(matcher, REDACTED);
    },
  };
}

/**
 * Base64 cores shorter than this are not matched on their own: a 1- or 2-byte secret at an odd
 * alignment leaves only two or three fully determined characters, which would match everywhere.
 * (The aligned base64 of such a secret, and of `user:secret`, is still matched.)
 */
const MIN_SHIFTED_BASE64_CHARS = 4;

function compile(secrets: Iterable<string>): RegExp {
  const sources: string[] = [];
  for (const secret of secrets) sources.push(textForms(secret), ...base64Forms(secret));
  // Longest first, so at one position the whole of `user:secret` wins over `secret`.
  sources.sort((a, b) => b.length - a.length);
  return new RegExp(sources.join('|'), 'g');
}

/** The secret as text: each character as itself or any of its escapes. */
function textForms(secret: string): string {
  let source = '';
  for (const char of secret) source += charForms(char);
  return source;
}

const ALNUM = /^[A-Za-z0-9]$/;
// JSON's two-character escapes (the backslash itself is added by charForms).
const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\\\',
  '/': '/',
  '\b': 'b',
  '\f': 'f',
  '\n': 'n',
  '\r': 'r',
  '\t': 't',
};
const BACKSLASHES = '\\\\{1,15}';
const HTML_NAMED: Readonly<Record<string, readonly string[]>> = {
  '&': ['&amp;'],
  '<': ['&lt;'],
  '>': ['&gt;'],
  '"': ['&quot;'],
  "'": ['&apos;'],
};

/** A regex group matching one character (a code point) of a secret in any of its escapes. */
function charForms(char: string): string {
  // No encoder escapes ASCII letters and digits; keeping them literal keeps the regex fast.
  return ALNUM.test(char) ? char : `(?:${escapes(char).join('|')})`;
}

function escapes(char: string): string[] {
  const code = char.codePointAt(0) ?? 0;
  const forms = [escapeRegExp(char)];
  forms.push([...Buffer.from(char, 'utf8')].map((byte) => '%' + anyCaseHex(byte, 2)).join(''));
  if (char === ' ') forms.push('\\+');
  // Backslashes: an escape, or an escape of an escape (JSON inside a JSON string), up to four
  // levels deep. Bounded, so a long run of backslashes costs linear time, not quadratic.
  const short = JSON_SHORT[char];
  if (short !== undefined) forms.push(`${BACKSLASHES}${short}`);
  let units = '';
  for (let i = 0; i < char.length; i++) units += `${BACKSLASHES}u${anyCaseHex(char.charCodeAt(i), 4)}`;
  forms.push(units);
  forms.push(...(HTML_NAMED[char] ?? []), `&#0*${code};`, `&#[xX]0*${anyCaseHex(code, 1)};`);
  return forms;
}

/**
 * The base64 of the secret at byte offsets 0, 1 and 2 of whatever was encoded: only the characters
 * the secret fully determines, plus the neighbouring characters it shares with unknown bytes and any
 * padding, each as base64 or base64url and in any text escape (a JSON `\/`, a URL's `%2B`).
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const first = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + bytes.length) * 8) / 6);
    const core = encoded.slice(first, end);
    if (core.length === 0 || (shift > 0 && core.length < MIN_SHIFTED_BASE64_CHARS)) continue;
    let source = shift > 0 ? `${B64_CHAR}?` : '';
    for (const char of core) source += base64CharForms(char);
    forms.push(`${source}${B64_CHAR}?(?:=|%3[dD]){0,2}`);
  }
  return forms;
}

const B64_CHAR = '[A-Za-z0-9+/_-]';

// base64url writes `-` and `_` where base64 has `+` and `/`.
function base64CharForms(char: string): string {
  if (char === '+') return `(?:${['-', ...escapes('+')].join('|')})`;
  if (char === '/') return `(?:${['_', ...escapes('/')].join('|')})`;
  return char;
}

function anyCaseHex(value: number, width: number): string {
  return value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
