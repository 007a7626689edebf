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
