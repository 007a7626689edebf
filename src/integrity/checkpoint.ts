/**
 * Checkpoints: signed statements of how far a journal's chain reached, so a verifier can tell a
 * tail cut off after the last event it sees (a chain alone cannot: its last link looks complete).
 *
 * A checkpoint is a JSON object shipped to every sink as its own record kind (never counted as an
 * audit event) and appended to the local checkpoint file (one JSON object per line), which an
 * operator can copy to a second place as a witness:
 *
 *   { "type": "wirety_ship_checkpoint", "v": 1, "journal": "<journal id>", "key_id": "<16 hex>",
 *     "seq": 1204332, "last_seq": 1204331, "count": 1204196, "head": "<chain of last_seq, hex>",
 *     "skipped": [[88120, 88134]], "time": "2026-11-30T10:02:13.000Z", "mac": "<hex>" }
 *
 * - seq: the seq of this checkpoint's own record in the journal (above last_seq), or 0 when the
 *   journal could not take it (full at shutdown: it is then only in the checkpoint file). A
 *   verifier treats the seq of every checkpoint it sees as holding no event;
 * - count: events chained in this journal from its first event through last_seq;
 * - skipped: every seq range in [1, last_seq] that holds neither an event nor a checkpoint record
 *   (the journal's reservation skipped it after an unclean stop, or it was journaled before
 *   integrity was on), inclusive pairs. Checkpoint seqs are not listed (each checkpoint states its
 *   own), so the list grows with unclean stops, not with time: count + skipped sizes + the
 *   checkpoint records below last_seq = last_seq;
 * - head: chain_n of the event at last_seq (the seed when count is 0);
 * - mac: HMAC-SHA256(key, canonicalJson(the checkpoint without "mac")), hex.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { IntegrityKey } from './key.js';

export const CHECKPOINT_TYPE = 'wirety_ship_checkpoint';

export interface CheckpointBody {
  readonly type: typeof CHECKPOINT_TYPE;
  readonly v: 1;
  readonly journal: string;
  readonly key_id: string;
  readonly seq: number;
  readonly last_seq: number;
  readonly count: number;
  readonly head: string;
  readonly skipped: ReadonlyArray<readonly [number, number]>;
  readonly time: string;
}

export interface Checkpoint extends CheckpointBody {
  readonly mac: string;
}

export function signCheckpoint(
  key: IntegrityKey,
  body: Omit<CheckpointBody, 'type' | 'v' | 'key_id'>,
): Checkpoint {
  const full: CheckpointBody = { type: CHECKPOINT_TYPE, v: 1, key_id: key.id, ...body };
  return { ...full, mac: checkpointMac(key.bytes, full) };
}

function checkpointMac(key: Buffer, body: CheckpointBody): string {
  return createHmac('sha256', key).update(canonicalJson(body), 'utf8').digest('hex');
}

export type CheckpointCheck =
  { readonly ok: true; readonly checkpoint: Checkpoint } | { readonly ok: false; readonly reason: string };

/**
 * Whether `value` is a checkpoint made by one of `keys` (matched by key_id). A shape error or a
 * mac that no given key produced is reported, never thrown.
 */
export function checkCheckpoint(value: unknown, keys: readonly IntegrityKey[]): CheckpointCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'not an object' };
  const c = value as Record<string, unknown>;
  if (c.type !== CHECKPOINT_TYPE || c.v !== 1) return { ok: false, reason: 'not a version 1 checkpoint' };
  for (const [name, ok] of [
    ['journal', typeof c.journal === 'string'],
    ['key_id', typeof c.key_id === 'string'],
    ['seq', Number.isSafeInteger(c.seq) && (c.seq as number) >= 0],
    ['last_seq', Number.isSafeInteger(c.last_seq)],
    ['count', Number.isSafeInteger(c.count)],
    ['head', typeof c.head === 'string'],
    ['skipped', Array.isArray(c.skipped)],
    ['time', typeof c.time === 'string'],
    ['mac', typeof c.mac === 'string'],
  ] as const) {
    if (!ok) return { ok: false, reason: `field ${name} missing or of the wrong type` };
  }
  const key = keys.find((k) => k.id === c.key_id);
  if (key === undefined)
    return { ok: false, reason: `made with key ${String(c.key_id)}, which was not given` };
  const { mac, ...body } = c;
  const expected = Buffer.from(checkpointMac(key.bytes, body as unknown as CheckpointBody), 'hex');
  const got = Buffer.from(mac as string, 'hex');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    return { ok: false, reason: 'mac does not match: altered, or not made by this key' };
  }
  return { ok: true, checkpoint: value as Checkpoint };
}
