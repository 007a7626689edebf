// Every action from the spec's tables, written out here independently of src/audit/catalogue.ts:
// one valid line per action must classify valid, and each way of breaking it must be invalid,
// naming the field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from '../../src/audit/classify.js';
import { CATALOGUE } from '../../src/audit/catalogue.js';

type Kind = 'string' | 'count' | 'unix_seconds' | 'duration_ns';
type Row = [action: string, source: 'server' | 'agent', fields: Record<string, Kind>];

/** The spec's tables, field by field (the "Fields" column; "—" is {}). */
const SPEC: Row[] = [
  ['auth.login', 'server', {}],
  ['network.create', 'server', { network_id: 'string', network_name: 'string' }],
  ['network.update', 'server', { network_id: 'string', network_name: 'string' }],
  ['network.delete', 'server', { network_id: 'string' }],
  ['acl.update', 'server', { network_id: 'string' }],
  ['peer.create', 'server', { network_id: 'string', peer_id: 'string', peer_name: 'string' }],
  ['peer.update', 'server', { network_id: 'string', peer_id: 'string', peer_name: 'string' }],
  ['peer.delete', 'server', { network_id: 'string', peer_id: 'string' }],
  ['group.create', 'server', { network_id: 'string', group_id: 'string', group_name: 'string' }],
  ['group.update', 'server', { network_id: 'string', group_id: 'string', group_name: 'string' }],
  ['group.delete', 'server', { network_id: 'string', group_id: 'string' }],
  ['group.peer.add', 'server', { network_id: 'string', group_id: 'string', peer_id: 'string' }],
  ['group.peer.remove', 'server', { network_id: 'string', group_id: 'string', peer_id: 'string' }],
  ['policy.create', 'server', { network_id: 'string', policy_id: 'string', policy_name: 'string' }],
  ['policy.update', 'server', { network_id: 'string', policy_id: 'string', policy_name: 'string' }],
  ['policy.delete', 'server', { network_id: 'string', policy_id: 'string' }],
  ['policy.rule.add', 'server', { network_id: 'string', policy_id: 'string', rule_id: 'string' }],
  ['policy.rule.remove', 'server', { network_id: 'string', policy_id: 'string', rule_id: 'string' }],
  ['policy.group.attach', 'server', { network_id: 'string', group_id: 'string', policy_id: 'string' }],
  ['policy.group.detach', 'server', { network_id: 'string', group_id: 'string', policy_id: 'string' }],
  ['policy.group.reorder', 'server', { network_id: 'string', group_id: 'string' }],
  ['route.create', 'server', { network_id: 'string', route_id: 'string', route_name: 'string' }],
  ['route.update', 'server', { network_id: 'string', route_id: 'string', route_name: 'string' }],
  ['route.delete', 'server', { network_id: 'string', route_id: 'string' }],
  ['route.group.attach', 'server', { network_id: 'string', group_id: 'string', route_id: 'string' }],
  ['route.group.detach', 'server', { network_id: 'string', group_id: 'string', route_id: 'string' }],
  ['user.update', 'server', { target_user_id: 'string' }],
  ['user.delete', 'server', { target_user_id: 'string' }],
  ['user.defaults.update', 'server', {}],
  ['config.sync', 'agent', {}],
  ['firewall.sync', 'agent', { rule_count: 'count' }],
  ['dns.update', 'agent', { domain: 'string', peer_count: 'count' }],
  ['peer.rename', 'agent', { old_name: 'string', new_name: 'string', new_interface: 'string' }],
  [
    'tunnel.connected',
    'agent',
    { peer_name: 'string', peer_pubkey: 'string', endpoint: 'string', handshake_at: 'unix_seconds' },
  ],
  [
    'tunnel.disconnected',
    'agent',
    {
      peer_name: 'string',
      peer_pubkey: 'string',
      endpoint: 'string',
      last_handshake: 'unix_seconds',
      session_duration: 'duration_ns',
    },
  ],
];
/** The one documented departure from the spec's tables (docs/audit-events.md, decision 9). */
const OPTIONAL = new Set(['tunnel.disconnected/endpoint', 'tunnel.disconnected/last_handshake']);

const SAMPLE: Record<Kind, unknown> = {
  string: 'net-abc123',
  count: 17,
  unix_seconds: 1_747_999_990,
  duration_ns: 3_600_000_000_000,
};
const WRONG: Record<Kind, unknown[]> = {
  string: [42, null, true, ['a'], { id: 'a' }],
  count: ['17', -1, 1.5, null],
  unix_seconds: ['1747999990', 1_747_999_990.5, null],
  duration_ns: ['1h0m0s', 3.5, null],
};

const SERVER = { actor_id: 'alice', actor_email: 'alice@example.com', remote_ip: '10.0.0.5' };
const AGENT = { actor_type: 'agent', peer_id: 'peer-jump-1', network_id: 'net-abc123' };

function example([action, source, fields]: Row): Record<string, unknown> {
  const event: Record<string, unknown> = { level: 'info', log_type: 'audit', time: 1_748_000_000 };
  Object.assign(event, source === 'agent' ? AGENT : SERVER, { action });
  for (const [name, kind] of Object.entries(fields)) event[name] = SAMPLE[kind];
  event.message = 'audit';
  return event;
}

const classify = createClassifier();
const run = (event: Record<string, unknown>) => classify(JSON.stringify(event));

void describe('every spec action', () => {
  void it('is in the catalogue with the spec source and fields, and nothing else is', () => {
    assert.deepEqual(
      CATALOGUE.map((s) => s.action),
      SPEC.map((r) => r[0]),
    );
    for (const [action, source, fields] of SPEC) {
      const spec = CATALOGUE.find((s) => s.action === action);
      assert.equal(spec?.source, source, action);
      assert.deepEqual(
        spec?.fields.map((f) => [f.name, f.type, f.required]),
        Object.entries(fields).map(([name, kind]) => [name, kind, !OPTIONAL.has(`${action}/${name}`)]),
        action,
      );
    }
  });

  for (const row of SPEC) {
    const [action, source, fields] = row;
    void describe(action, () => {
      void it('classifies a valid line as valid, known, with its source', () => {
        const event = example(row);
        const result = run(event);
        assert.deepEqual(result, { verdict: 'valid', event, source, knownAction: true });
      });

      void it('is invalid with the other source shape, and says so', () => {
        const event = example(row);
        if (source === 'agent') {
          delete event.actor_type;
          Object.assign(event, SERVER);
        } else {
          Object.assign(event, AGENT);
        }
        const result = run(event);
        assert.equal(result.verdict, 'invalid');
        assert.equal(result.verdict === 'invalid' && result.path, '/actor_type');
        assert.match(result.verdict === 'invalid' ? result.detail : '', new RegExp(`${source} action`));
      });

      for (const name of Object.keys(fields)) {
        if (OPTIONAL.has(`${action}/${name}`)) continue;
        void it(`is invalid without ${name}`, () => {
          const event = example(row);
          delete event[name];
          assert.deepEqual(run(event), {
            verdict: 'invalid',
            path: `/${name}`,
            detail: 'required field is missing',
            action,
          });
        });
      }

      for (const [name, kind] of Object.entries(fields)) {
        void it(`is invalid when ${name} is not ${kind}`, () => {
          for (const wrong of WRONG[kind]) {
            const result = run({ ...example(row), [name]: wrong });
            assert.equal(result.verdict, 'invalid', `${name}=${JSON.stringify(wrong)}`);
            assert.equal(result.verdict === 'invalid' && result.path, `/${name}`);
            assert.equal(result.verdict === 'invalid' && result.action, action);
          }
        });
      }

      const common =
        source === 'agent' ? ['peer_id', 'network_id'] : ['actor_id', 'actor_email', 'remote_ip'];
      void it(`is invalid without any of ${['level', 'time', 'message', ...common].join(', ')}`, () => {
        for (const name of ['level', 'time', 'message', ...common]) {
          const event = example(row);
          delete event[name];
          const result = run(event);
          assert.equal(result.verdict === 'invalid' && result.path, `/${name}`, name);
        }
      });
    });
  }
});
