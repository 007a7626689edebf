/**
 * The keyed hash chain over journaled events (docs/integrity.md has the why and the guarantees).
 *
 *   seed      = HMAC-SHA256(key, "wirety-ship/chain/v1" ‖ 0x00 ‖ journalId)
 *   digest_n  = SHA-256(canonicalJson(event_n))            (canonical.ts: RFC 8785)
 *   chain_n   = HMAC-SHA256(key, chain_prev ‖ u64be(seq_n) ‖ digest_n)
 *
 * where chain_prev is the chain value of the previous event journaled in this journal (the seed
 * for the first). Seqs the journal skipped (its reservation after an unclean stop) have no event
 * and no chain value, so the event after a skip links straight to the one before it.
 *
 * Every shipped event carries `chain` (chain_n) and `prev` (chain_prev), both lowercase hex:
 * - `prev` lets one event be checked on its own: recomputing chain_n from prev, seq and the
 *   event's content tells whether a key-holder made exactly this content at this seq (ALTERED or
 *   FORGED otherwise), even when its neighbours are missing;
 * - for two events m < n with nothing between them present, `n.prev == m.chain` proves nothing
 *   was journaled between them (a skip, not a loss); otherwise seqs m+1…n-1 are MISSING.
 *
 * Key rotation: when the shipper starts with a new key on a journal whose chain an old key made,
 * the first event under the new key has
 *
 *   prev = HMAC-SHA256(newKey, "wirety-ship/rotate/v1" ‖ 0x00 ‖ journalId ‖ chain_m)
 *
 * where chain_m is the old key's last chain value: a verifier holding both keys links across the
 * rotation (rotationLink), and one holding only the new key still checks every later event.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export const CHAIN_BYTES = 32;

export function chainSeed(key: Buffer, journalId: string): Buffer {
  return createHmac('sha256', key).update('wirety-ship/chain/v1\0').update(journalId, 'utf8').digest();
}

/** SHA-256 of the canonical text of a parsed event. */
export function eventDigest(event: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(event), 'utf8').digest();
}

export function rotationLink(newKey: Buffer, journalId: string, lastChain: Buffer): Buffer {
  return createHmac('sha256', newKey)
    .update('wirety-ship/rotate/v1\0')
    .update(journalId, 'utf8')
    .update(lastChain)
    .digest();
}

const seqBytes = Buffer.alloc(8);

export function chainStep(key: Buffer, prev: Buffer, seq: number, digest: Buffer): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`bad seq ${seq}`);
  seqBytes.writeBigUInt64BE(BigInt(seq));
  return createHmac('sha256', key).update(prev).update(seqBytes).update(digest).digest();
}

/** chain_n of an event, from its carried prev, its seq and its parsed content. */
export function chainOf(key: Buffer, prevHex: string, seq: number, event: unknown): string {
  return chainStep(key, Buffer.from(prevHex, 'hex'), seq, eventDigest(event)).toString('hex');
}
