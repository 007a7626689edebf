/**
 * Synthetic sink content for the verify tests, built exactly as the contract says the shipper
 * makes it (docs/integrity.md): a journal of audit events chained with src/integrity, and each
 * sink's export form of them (Elasticsearch hits with keys reordered as synthetic _source does,
 * logcli jsonl lines, Splunk export lines) and of checkpoints.
 */
import { chainOf, chainSeed, rotationLink } from '../../src/integrity/chain.js';
import { signCheckpoint, type Checkpoint } from '../../src/integrity/checkpoint.js';
import { parseKey, type IntegrityKey } from '../../src/integrity/key.js';

export const KEY_HEX = 'a1'.repeat(32);
export const KEY2_HEX = 'b2'.repeat(32);
export const OTHER_KEY_HEX = 'c3'.repeat(32);
export const KEY = parseKey(KEY_HEX, 'test');
export const KEY2 = parseKey(KEY2_HEX, 'test');
export const OTHER_KEY = parseKey(OTHER_KEY_HEX, 'test');
export const JOURNAL = 'j-3f9c0000';
/** Event time of seq 1 (Unix seconds): 2026-11-30T10:00:00Z. */
export const T0 = Date.UTC(2026, 10, 30, 10, 0, 0) / 1000;

export interface ChainedEvent {
  readonly seq: number;
  readonly id: string;
  readonly line: string;
  readonly event: Record<string, unknown>;
  readonly journal: string;
  readonly prev: string;
  readonly chain: string;
}

export function auditEvent(seq: number): Record<string, unknown> {
  return {
    level: 'info',
    log_type: 'audit',
    time: T0 + seq,
    action: 'user.login',
    message: 'audit',
    actor_id: `u-${seq}`,
    remote_ip: '10.0.0.1',
  };
}

export interface JournalSpec {
  /** Last seq; every seq 1…last holds an event except those in `skipped` and `checkpointSeqs`. */
  readonly last: number;
  readonly skipped?: ReadonlyArray<readonly [number, number]>;
  /** Seqs that hold checkpoint records (journaled between the events, as the shipper does). */
  readonly checkpointSeqs?: readonly number[];
  readonly journal?: string;
  readonly key?: IntegrityKey;
  /** From this seq on, events are chained with `key` after a rotation from `oldKey`. */
  readonly rotation?: { readonly atSeq: number; readonly oldKey: IntegrityKey };
}

export interface Journal {
  readonly events: ChainedEvent[];
  /**
   * A checkpoint through `lastSeq` (default: the last seq), its own record at `seq` (default: the
   * first of `checkpointSeqs` above lastSeq, else last + 1).
   */
  checkpoint(lastSeq?: number, seq?: number): Checkpoint;
  /** The checkpoint journaled at each of `checkpointSeqs`, through the event before it. */
  checkpoints(): Checkpoint[];
}

export function chainJournal(spec: JournalSpec): Journal {
  const journal = spec.journal ?? JOURNAL;
  const key = spec.key ?? KEY;
  const skipped = spec.skipped ?? [];
  const checkpointSeqs = spec.checkpointSeqs ?? [];
  const isSkipped = (seq: number) =>
    skipped.some(([a, b]) => seq >= a && seq <= b) || checkpointSeqs.includes(seq);
  const events: ChainedEvent[] = [];
  let prev: Buffer | undefined;
  for (let seq = 1; seq <= spec.last; seq++) {
    if (isSkipped(seq)) continue;
    const rotated = spec.rotation !== undefined && seq >= spec.rotation.atSeq;
    const k = spec.rotation !== undefined && !rotated ? spec.rotation.oldKey : key;
    let prevHex: string;
    if (prev === undefined) prevHex = chainSeed(k.bytes, journal).toString('hex');
    else if (
      spec.rotation !== undefined &&
      seq >= spec.rotation.atSeq &&
      events.at(-1)!.seq < spec.rotation.atSeq
    )
      prevHex = rotationLink(k.bytes, journal, prev).toString('hex');
    else prevHex = prev.toString('hex');
    const event = auditEvent(seq);
    const line = JSON.stringify(event);
    const chain = chainOf(k.bytes, prevHex, seq, JSON.parse(line));
    events.push({ seq, id: `${journal}-${seq}`, line, event, journal, prev: prevHex, chain });
    prev = Buffer.from(chain, 'hex');
  }
  const checkpoint = (
    lastSeq = spec.last,
    seq = checkpointSeqs.find((c) => c > lastSeq) ?? spec.last + 1,
  ): Checkpoint => {
    const through = events.filter((e) => e.seq <= lastSeq);
    return signCheckpoint(key, {
      journal,
      seq,
      last_seq: lastSeq,
      count: through.length,
      head: through.at(-1)?.chain ?? chainSeed(key.bytes, journal).toString('hex'),
      skipped: skipped.filter(([a]) => a <= lastSeq).map(([a, b]) => [a, Math.min(b, lastSeq)] as const),
      time: new Date((T0 + lastSeq) * 1000).toISOString(),
    });
  };
  return {
    events,
    checkpoint,
    checkpoints: () =>
      checkpointSeqs.map((c) => checkpoint(events.filter((e) => e.seq < c).at(-1)?.seq ?? 0, c)),
  };
}

/** The same event with one field changed, chain fields kept. */
export function altered(e: ChainedEvent, field = 'actor_id', value: unknown = 'mallory'): ChainedEvent {
  const event = { ...e.event, [field]: value };
  return { ...e, event, line: JSON.stringify(event) };
}

/** An event made up with a key the shipper never had. */
export function forged(seq: number, journal = JOURNAL): ChainedEvent {
  const event = { ...auditEvent(seq), actor_id: 'forger' };
  const prev = 'ee'.repeat(32);
  return {
    seq,
    id: `${journal}-${seq}`,
    line: JSON.stringify(event),
    event,
    journal,
    prev,
    chain: chainOf(OTHER_KEY.bytes, prev, seq, event),
  };
}

/** Keys in reverse order, recursively: what a synthetic _source may hand back. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .reverse()
      .map((k) => [k, reordered((value as Record<string, unknown>)[k])]),
  );
}

export const es = {
  hit: (e: ChainedEvent, options: { bare?: boolean; metadata?: boolean } = {}): string => {
    const doc: Record<string, unknown> = {
      '@timestamp': new Date((e.event.time as number) * 1000).toISOString(),
      wirety_ship: {
        event_id: e.id,
        seq: e.seq,
        source: 'server',
        journal: e.journal,
        chain: e.chain,
        chain_prev: e.prev,
      },
      ...(options.metadata ? { kubernetes: { namespace: 'prod', pod: { name: 'wirety-0' } } } : {}),
      ...e.event,
    };
    const source = reordered(doc);
    return JSON.stringify(
      options.bare
        ? source
        : { _index: 'wirety-audit-2026.11.30', _id: e.id, _score: null, _source: source, sort: [e.seq] },
    );
  },
  checkpoint: (c: Checkpoint): string => {
    return JSON.stringify({
      _index: 'wirety-ship-checkpoints',
      _id: `checkpoint-${c.journal}-${c.last_seq}`,
      _source: reordered({ ...c, '@timestamp': c.time }),
    });
  },
};

export const loki = {
  /** logcli --output=jsonl, structured metadata merged into labels. */
  line: (e: ChainedEvent): string => {
    return JSON.stringify({
      labels: {
        job: 'wirety',
        event_id: e.id,
        seq: String(e.seq),
        journal: e.journal,
        chain: e.chain,
        chain_prev: e.prev,
      },
      line: e.line,
      timestamp: new Date((e.event.time as number) * 1000 + (e.seq % 1000) / 1e3).toISOString(),
    });
  },
  checkpoint: (c: Checkpoint): string => {
    return JSON.stringify({
      labels: {
        job: 'wirety',
        wirety_ship_kind: 'checkpoint',
        event_id: `checkpoint-${c.journal}-${c.last_seq}`,
      },
      line: JSON.stringify(c),
      timestamp: c.time,
    });
  },
};

export const splunk = {
  line: (e: ChainedEvent): string => {
    return JSON.stringify({
      preview: false,
      result: {
        _raw: e.line,
        _time: new Date((e.event.time as number) * 1000).toISOString(),
        sourcetype: 'wirety:audit',
        seq: String(e.seq),
        event_id: e.id,
        journal: e.journal,
        chain: e.chain,
        chain_prev: e.prev,
      },
    });
  },
  checkpoint: (c: Checkpoint): string => {
    return JSON.stringify({
      preview: false,
      result: {
        _raw: JSON.stringify(c),
        sourcetype: 'wirety_ship:checkpoint',
        event_id: `checkpoint-${c.journal}-${c.last_seq}`,
      },
    });
  },
};

/** A deterministic shuffle (xorshift), so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = Math.abs(s) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
