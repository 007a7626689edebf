/**
 * Builds AuditRecords the way the pipeline would: a real audit line, its parsed event, its byte
 * length. `makeRecords(n)` alternates server and agent events so sinks see both shapes.
 */
import type { AuditEvent, AuditRecord, EventSource } from '../../src/audit/record.js';

export const serverLine =
  '{"level":"info","log_type":"audit","time":1748000000,"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"peer.create","network_id":"net-abc123","peer_id":"peer-xyz789","peer_name":"office-laptop","message":"audit"}';
export const agentLine =
  '{"level":"info","log_type":"audit","time":1748000100,"actor_type":"agent","peer_id":"peer-jump-1","network_id":"net-abc123","action":"tunnel.connected","peer_name":"office-laptop","peer_pubkey":"abc123...","endpoint":"203.0.113.42:51820","handshake_at":1748000098,"message":"audit"}';

export function makeRecord(seq: number, line: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const event = JSON.parse(line) as AuditEvent;
  const source: EventSource = event.actor_type === 'agent' ? 'agent' : 'server';
  return {
    seq,
    id: `test-${seq}`,
    line,
    bytes: Buffer.byteLength(line),
    event,
    source,
    receivedAtMs: 1_748_000_000_000 + seq,
    ...overrides,
  };
}

/** n records with seq 1..n; each line gets a distinct peer_name so lines are distinguishable. */
export function makeRecords(n: number, firstSeq = 1): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (let i = 0; i < n; i++) {
    const seq = firstSeq + i;
    const template = JSON.parse(i % 2 === 0 ? serverLine : agentLine) as Record<string, unknown>;
    template.peer_name = `peer-name-${seq}`;
    template.time = 1_748_000_000 + Math.floor(seq / 10);
    out.push(makeRecord(seq, JSON.stringify(template)));
  }
  return out;
}

/**
 * A record of `base` with fields set to raw JSON text, spliced in so that any nesting depth, number
 * (1e400) or escape ("\ud800") can be written, as a hostile line would have it.
 */
export function recordWithRawFields(
  seq: number,
  raw: Record<string, string>,
  base = serverLine,
): AuditRecord {
  const event = JSON.parse(base) as Record<string, unknown>;
  for (const key of Object.keys(raw)) delete event[key];
  const extra = Object.entries(raw).map(([k, v]) => `,${JSON.stringify(k)}:${v}`);
  return makeRecord(seq, JSON.stringify(event).slice(0, -1) + extra.join('') + '}');
}

/** `[[…[]…]]`: JSON text of arrays nested `levels` deep. */
export const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
