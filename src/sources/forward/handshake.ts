/**
 * The shared-key handshake of Forward Protocol v1, server side, as fluentd's in_forward does it:
 *
 *   server → ["HELO", {nonce: <16 random bytes>, auth: "", keepalive: true}]
 *   client → ["PING", hostname, shared_key_salt, sha512_hex(salt + hostname + nonce + key), username, password_digest]
 *   server → ["PONG", true, "", self_hostname, sha512_hex(salt + self_hostname + nonce + key)]
 *         or ["PONG", false, reason, "", ""] and the connection is closed.
 *
 * Digests are compared in constant time. No user/password authentication (auth is ""), so the
 * PING's last two fields are ignored. The key never appears in a log line or a reason.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { asText } from './decode-request.js';

export interface ServerHandshake {
  /** The HELO message (a value to msgpack-encode). */
  readonly helo: unknown;
  /** Checks a PING; the PONG to send and whether the client may go on. */
  answer(ping: unknown): { readonly ok: boolean; readonly reason: string; readonly pong: unknown };
}

function bytesOf(value: unknown): Buffer | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return undefined;
}

function sha512Hex(...parts: Buffer[]): string {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export function createServerHandshake(sharedKey: string, selfHostname: string): ServerHandshake {
  const nonce = randomBytes(16);
  const key = Buffer.from(sharedKey, 'utf8');
  const refuse = (reason: string) => ({ ok: false, reason, pong: ['PONG', false, reason, '', ''] });
  return {
    helo: ['HELO', { nonce, auth: '', keepalive: true }],
    answer(ping) {
      if (!Array.isArray(ping) || ping.length !== 6 || asText(ping[0]) !== 'PING')
        return refuse('invalid ping message');
      const hostname = bytesOf(ping[1]);
      const salt = bytesOf(ping[2]);
      const digest = asText(ping[3]);
      if (!hostname || !salt || digest === undefined) return refuse('invalid ping message');
      const expected = Buffer.from(sha512Hex(salt, hostname, nonce, key), 'latin1');
      const given = Buffer.from(digest.toLowerCase(), 'latin1');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return refuse('shared_key mismatch');
      const self = Buffer.from(selfHostname, 'utf8');
      return {
        ok: true,
        reason: '',
        pong: ['PONG', true, '', selfHostname, sha512Hex(salt, self, nonce, key)],
      };
    },
  };
}
