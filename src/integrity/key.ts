/**
 * The integrity key: a secret shared by the shipper and whoever verifies (docs/integrity.md).
 *
 * Format: the key file (or WIRETY_SHIP_INTEGRITY_KEY) holds at least 32 bytes of randomness written
 * as hex, e.g. `openssl rand -hex 32`; surrounding whitespace is ignored. Anything else is refused,
 * so a passphrase typed by hand or a file holding the wrong thing is caught at start.
 *
 * The key id names a key without revealing it (a hash of the key under a fixed label), so a
 * checkpoint can say which key made it and `verify` can pick among several keys after a rotation.
 * The key bytes never leave this module's callers in text form: nothing logs or prints them.
 */
import { createHash } from 'node:crypto';

export const MIN_KEY_BYTES = 32;

export interface IntegrityKey {
  /** 16 hex characters derived from the key; safe to log, print and ship. */
  readonly id: string;
  readonly bytes: Buffer;
}

/** Parses a key's text. Throws an Error whose message never contains the text itself. */
export function parseKey(text: string, origin: string): IntegrityKey {
  const hex = text.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) {
    throw new Error(
      `${origin}: an integrity key is hex text (e.g. the output of \`openssl rand -hex 32\`); this is not`,
    );
  }
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < MIN_KEY_BYTES) {
    throw new Error(
      `${origin}: an integrity key needs at least ${MIN_KEY_BYTES} bytes (${MIN_KEY_BYTES * 2} hex characters); this has ${bytes.length}`,
    );
  }
  return { id: keyId(bytes), bytes };
}

export function keyId(bytes: Buffer): string {
  return createHash('sha256').update('wirety-ship/key-id/v1\0').update(bytes).digest('hex').slice(0, 16);
}
