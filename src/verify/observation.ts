/**
 * What a reader hands the verifier for one line (or one hit) of a sink's content: an audit event
 * with the integrity fields the shipper attached (docs/integrity.md, "What each sink carries"), a
 * checkpoint record, or something it could not use (and why). Readers are per sink format
 * (recover-*.ts); the verifier (verifier.ts) knows no format.
 */

export interface ObservedEvent {
  readonly kind: 'event';
  readonly journal: string;
  readonly seq: number;
  readonly eventId: string;
  /** chain_n and chain_prev as carried, lowercase hex (64 characters each). */
  readonly chain: string;
  readonly prev: string;
  /**
   * The original event as the shipper digested it, recovered from the sink's form. More than one
   * when the sink's form is ambiguous (an Elasticsearch `kubernetes` object may be the shipper's
   * or the event's own): the event verifies when any candidate does.
   */
  readonly candidates: readonly unknown[];
  /** The event's own time (its `time` field, Unix seconds) in ms; NaN when it has none. */
  readonly timeMs: number;
}

export interface ObservedCheckpoint {
  readonly kind: 'checkpoint';
  /** The checkpoint object as signed (integrity/checkpoint.ts), the sink's additions removed. */
  readonly value: unknown;
}

export interface Unusable {
  readonly kind: 'unusable';
  /**
   * `unchained`: a record with none of the integrity fields (shipped with integrity off, or put
   * there by someone else); `unreadable`: not JSON, or integrity fields of the wrong shape.
   */
  readonly why: 'unchained' | 'unreadable';
  readonly reason: string;
}

/** Nothing to verify: an export's own framing (a Splunk `lastrow`, a blank line). */
export interface Ignored {
  readonly kind: 'ignored';
}

export type Observation = ObservedEvent | ObservedCheckpoint | Unusable | Ignored;

export const IGNORED: Ignored = { kind: 'ignored' };

const HEX_64 = /^[0-9a-f]{64}$/;

/** The fields every sink carries for an event, checked and normalised; an Unusable when they are not usable. */
export function eventFromFields(
  fields: {
    readonly journal: unknown;
    readonly seq: unknown;
    readonly eventId: unknown;
    readonly chain: unknown;
    readonly prev: unknown;
  },
  candidates: readonly unknown[],
): ObservedEvent | Unusable {
  const { journal, eventId } = fields;
  // `seq` and `event_id` are carried with integrity off too: the chain fields tell.
  if (fields.chain === undefined && fields.prev === undefined && fields.journal === undefined) {
    return {
      kind: 'unusable',
      why: 'unchained',
      reason: 'carries no integrity fields (journal, chain, chain_prev)',
    };
  }
  const seq = typeof fields.seq === 'string' && /^\d+$/.test(fields.seq) ? Number(fields.seq) : fields.seq;
  const chain = typeof fields.chain === 'string' ? fields.chain.toLowerCase() : undefined;
  const prev = typeof fields.prev === 'string' ? fields.prev.toLowerCase() : undefined;
  const problems: string[] = [];
  if (typeof journal !== 'string' || journal === '') problems.push('journal');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) problems.push('seq');
  if (chain === undefined || !HEX_64.test(chain)) problems.push('chain');
  if (prev === undefined || !HEX_64.test(prev)) problems.push('chain_prev');
  if (problems.length > 0) {
    return {
      kind: 'unusable',
      why: 'unreadable',
      reason: `integrity field ${problems.join(', ')} missing or malformed`,
    };
  }
  const first = candidates[0] as { time?: unknown } | undefined;
  const time = typeof first === 'object' && first !== null ? first.time : undefined;
  return {
    kind: 'event',
    journal: journal as string,
    seq: seq as number,
    eventId: typeof eventId === 'string' ? eventId : '',
    chain: chain!,
    prev: prev!,
    candidates,
    timeMs: typeof time === 'number' && Number.isFinite(time) ? time * 1000 : Number.NaN,
  };
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
