/**
 * The Wirety audit event catalogue: every action the spec (docs/wirety-audit-logs.md) names, who emits
 * it, and the fields it carries. This is the single source of truth in code; the published JSON
 * Schema (config/audit-event.schema.json) says the same thing for operators and SIEM tooling, and
 * test/audit/catalogue-schema.test.ts fails if the two ever disagree.
 *
 * Field types are deliberately coarse (see docs/audit-events.md for why each one is what it is):
 * a catalogue that is stricter than what wirety really writes would push real audit events into
 * the dead-letter file instead of the SIEM.
 */
import type { EventSource } from './record.js';

/**
 * - string: any JSON string, empty included (wirety writes every field with zerolog's Str()).
 * - count: a non-negative integer.
 * - unix_seconds: an integer number of seconds since the epoch (negative allowed: Go's zero time).
 * - duration_ns: an integer number of nanoseconds (negative allowed: wall-clock steps).
 */
export type FieldType = 'string' | 'count' | 'unix_seconds' | 'duration_ns';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** false only where real wirety output is known to omit the field (documented per field). */
  readonly required: boolean;
}

export interface ActionSpec {
  readonly action: string;
  readonly source: EventSource;
  /** The spec's section heading, e.g. "Peers". */
  readonly category: string;
  /** The spec's "Trigger" column. */
  readonly trigger: string;
  /** Action-specific fields, on top of the common and source fields. */
  readonly fields: readonly FieldSpec[];
}

const req = (name: string, type: FieldType = 'string'): FieldSpec => ({ name, type, required: true });
const opt = (name: string, type: FieldType = 'string'): FieldSpec => ({ name, type, required: false });

const spec =
  (source: EventSource) =>
  (action: string, category: string, trigger: string, fields: FieldSpec[] = []): ActionSpec => ({
    action,
    source,
    category,
    trigger,
    fields,
  });
const server = spec('server');
const agent = spec('agent');

const net = req('network_id');
/** Fields of an action on a network: network_id and the required string fields named. */
const inNetwork = (...names: string[]): FieldSpec[] => [net, ...names.map((name) => req(name))];

export const CATALOGUE: readonly ActionSpec[] = [
  server('auth.login', 'Authentication', 'Successful simple-auth login (POST /auth/login)'),

  server('network.create', 'Networks', 'Network created', inNetwork('network_name')),
  server('network.update', 'Networks', 'Network configuration updated', inNetwork('network_name')),
  server('network.delete', 'Networks', 'Network deleted', [net]),
  server('acl.update', 'Networks', 'ACL block list updated', [net]),

  server('peer.create', 'Peers', 'Peer created', inNetwork('peer_id', 'peer_name')),
  server('peer.update', 'Peers', 'Peer updated', inNetwork('peer_id', 'peer_name')),
  server('peer.delete', 'Peers', 'Peer deleted', inNetwork('peer_id')),

  server('group.create', 'Groups', 'Group created', inNetwork('group_id', 'group_name')),
  server('group.update', 'Groups', 'Group updated', inNetwork('group_id', 'group_name')),
  server('group.delete', 'Groups', 'Group deleted', inNetwork('group_id')),
  server('group.peer.add', 'Groups', 'Peer added to group', inNetwork('group_id', 'peer_id')),
  server('group.peer.remove', 'Groups', 'Peer removed from group', inNetwork('group_id', 'peer_id')),

  server('policy.create', 'Policies', 'Policy created', inNetwork('policy_id', 'policy_name')),
  server('policy.update', 'Policies', 'Policy updated', inNetwork('policy_id', 'policy_name')),
  server('policy.delete', 'Policies', 'Policy deleted', inNetwork('policy_id')),
  server('policy.rule.add', 'Policies', 'Rule added to policy', inNetwork('policy_id', 'rule_id')),
  server('policy.rule.remove', 'Policies', 'Rule removed from policy', inNetwork('policy_id', 'rule_id')),
  server('policy.group.attach', 'Policies', 'Policy attached to group', inNetwork('group_id', 'policy_id')),
  server('policy.group.detach', 'Policies', 'Policy detached from group', inNetwork('group_id', 'policy_id')),
  server('policy.group.reorder', 'Policies', 'Policy priority order changed', inNetwork('group_id')),

  server('route.create', 'Routes', 'Route created', inNetwork('route_id', 'route_name')),
  server('route.update', 'Routes', 'Route updated', inNetwork('route_id', 'route_name')),
  server('route.delete', 'Routes', 'Route deleted', inNetwork('route_id')),
  server('route.group.attach', 'Routes', 'Route attached to group', inNetwork('group_id', 'route_id')),
  server('route.group.detach', 'Routes', 'Route detached from group', inNetwork('group_id', 'route_id')),

  server('user.update', 'Users', 'User role or networks updated', [req('target_user_id')]),
  server('user.delete', 'Users', 'User deleted', [req('target_user_id')]),
  server('user.defaults.update', 'Users', 'Default network permissions changed'),

  agent(
    'config.sync',
    'Configuration & Firewall',
    'WireGuard configuration successfully written and applied',
  ),
  agent('firewall.sync', 'Configuration & Firewall', 'iptables rules successfully applied', [
    req('rule_count', 'count'),
  ]),
  agent('dns.update', 'Configuration & Firewall', 'DNS server peer table updated', [
    req('domain'),
    req('peer_count', 'count'),
  ]),
  agent('peer.rename', 'Configuration & Firewall', 'Peer renamed, interface migrated', [
    req('old_name'),
    req('new_name'),
    req('new_interface'),
  ]),

  agent('tunnel.connected', 'Tunnel Sessions', 'Peer established a WireGuard handshake', [
    req('peer_name'),
    req('peer_pubkey'),
    req('endpoint'),
    req('handshake_at', 'unix_seconds'),
  ]),
  // endpoint and last_handshake are optional: the agent omits both when the peer vanished from
  // the WireGuard config (the "peer removed" path), and that disconnect must still be shipped.
  agent('tunnel.disconnected', 'Tunnel Sessions', 'Peer stopped sending handshakes', [
    req('peer_name'),
    req('peer_pubkey'),
    opt('endpoint'),
    opt('last_handshake', 'unix_seconds'),
    req('session_duration', 'duration_ns'),
  ]),
];

const byAction: ReadonlyMap<string, ActionSpec> = new Map(CATALOGUE.map((spec) => [spec.action, spec]));

export function findAction(action: string): ActionSpec | undefined {
  return byAction.get(action);
}

/** Fields every audit line has, whatever its source. */
export const COMMON_FIELDS: readonly string[] = ['level', 'log_type', 'time', 'action', 'message'];
/** Fields every server event has (zerolog audit.Server(actorID, actorEmail, remoteIP)). */
export const SERVER_FIELDS: readonly string[] = ['actor_id', 'actor_email', 'remote_ip'];
/** Fields every agent event has (zerolog audit.Agent(peerID, networkID) plus actor_type). */
export const AGENT_FIELDS: readonly string[] = ['actor_type', 'peer_id', 'network_id'];

/**
 * Every field name some audit event in the catalogue carries (common, per-source and per-action),
 * sorted. The config loader checks the field lists of the sinks against it.
 */
export const CATALOGUE_FIELDS: readonly string[] = [
  ...new Set([
    ...COMMON_FIELDS,
    ...SERVER_FIELDS,
    ...AGENT_FIELDS,
    ...CATALOGUE.flatMap((spec) => spec.fields.map((field) => field.name)),
  ]),
].sort();
