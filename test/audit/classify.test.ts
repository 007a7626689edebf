// One verdict per line for every kind of bad input, and the spec decisions in docs/audit-events.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier, type Classification } from '../../src/audit/classify.js';
import { agentLine, serverLine } from '../helpers/records.js';

const classify = createClassifier();

const SPEC_DISCONNECTED =
  '{"level":"info","log_type":"audit","time":1748003700,"actor_type":"agent","peer_id":"peer-jump-1","network_id":"net-abc123","action":"tunnel.disconnected","peer_name":"office-laptop","peer_pubkey":"abc123...","endpoint":"203.0.113.42:51820","last_handshake":1748003520,"session_duration":3600000000000,"message":"audit"}';

/** serverLine with fields replaced (undefined deletes), re-serialised. */
function server(changes: Record<string, unknown>): string {
  const event = JSON.parse(serverLine) as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete event[k];
    else event[k] = v;
  }
  return JSON.stringify(event);
}
function agent(changes: Record<string, unknown>, base = agentLine): string {
  const event = JSON.parse(base) as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete event[k];
    else event[k] = v;
  }
  return JSON.stringify(event);
}

function invalid(line: string): Extract<Classification, { verdict: 'invalid' }> {
  const result = classify(line);
  assert.equal(result.verdict, 'invalid', `expected invalid, got ${JSON.stringify(result)}`);
  return result;
}
function valid(line: string): Extract<Classification, { verdict: 'valid' }> {
  const result = classify(line);
  assert.equal(result.verdict, 'valid', `expected valid, got ${JSON.stringify(result)}`);
  return result;
}

void describe('classify: the spec examples', () => {
  void it('accepts the spec server line as a known server event, returning the parsed object', () => {
    assert.deepEqual(classify(serverLine), {
      verdict: 'valid',
      event: JSON.parse(serverLine) as unknown,
      source: 'server',
      knownAction: true,
    });
  });
  void it('accepts both spec tunnel lines as known agent events', () => {
    for (const line of [agentLine, SPEC_DISCONNECTED]) {
      const result = valid(line);
      assert.equal(result.source, 'agent');
      assert.equal(result.knownAction, true);
    }
  });
});

void describe('classify: bad input gets exactly one clear verdict', () => {
  void it('truncated JSON is not_json, with the parser message', () => {
    for (let cut = 1; cut < serverLine.length; cut++) {
      const result = classify(serverLine.slice(0, cut));
      assert.equal(result.verdict, 'not_json', `cut at ${cut}`);
    }
    const result = classify(serverLine.slice(0, 120));
    assert.match(result.verdict === 'not_json' ? result.detail : '', /JSON/);
  });

  void it('an empty line and a whitespace-only line are empty, a bucket of their own', () => {
    for (const line of ['', ' ', '\t', '  \t  ', '\r']) {
      assert.deepEqual(classify(line), { verdict: 'empty' }, JSON.stringify(line));
    }
  });

  void it('plain text is not_json', () => {
    assert.equal(classify('2025-05-23T10:00:00Z INF starting wirety server').verdict, 'not_json');
    assert.equal(classify('{"log_type":"audit",}').verdict, 'not_json');
  });

  void it('JSON that is not an object is not_audit', () => {
    for (const line of ['[1,2]', '[{"log_type":"audit"}]', '42', '"audit"', 'null', 'true', '{}']) {
      assert.deepEqual(classify(line), { verdict: 'not_audit' }, line);
    }
  });

  void it('an object whose log_type is not exactly "audit" is not_audit', () => {
    for (const logType of [undefined, 'access', 'AUDIT', 'audit ', 1, null, ['audit']]) {
      assert.deepEqual(classify(server({ log_type: logType })), { verdict: 'not_audit' }, String(logType));
    }
    assert.deepEqual(
      classify(
        '{"level":"info","event":"tunnel.connected","peer_name":"x","time":1,"message":"WireGuard tunnel connected"}',
      ),
      { verdict: 'not_audit' },
    );
  });

  void it('a nested or __proto__ log_type does not make a line audit', () => {
    assert.deepEqual(classify('{"__proto__":{"log_type":"audit"},"action":"peer.create"}'), {
      verdict: 'not_audit',
    });
    assert.deepEqual(classify('{"data":{"log_type":"audit"}}'), { verdict: 'not_audit' });
  });

  void it('log_type audit with message other than "audit" is invalid at /message', () => {
    const result = invalid(server({ message: 'peer created' }));
    assert.equal(result.path, '/message');
    assert.equal(result.detail, 'must be "audit", got string "peer created"');
    assert.equal(result.action, 'peer.create');
    assert.equal(invalid(server({ message: undefined })).path, '/message');
  });

  void it('time as a string is invalid at /time', () => {
    const result = invalid(server({ time: '1748000000' }));
    assert.deepEqual(result, {
      verdict: 'invalid',
      path: '/time',
      detail: 'must be integer, got string "1748000000"',
      action: 'peer.create',
    });
  });

  void it('time as a float is invalid at /time', () => {
    const result = invalid(server({ time: 1748000000.25 }));
    assert.equal(result.path, '/time');
    assert.equal(result.detail, 'must be integer, got number 1748000000.25');
  });

  void it('time in milliseconds or negative is invalid, and the detail suggests milliseconds', () => {
    const ms = invalid(server({ time: 1748000000123 }));
    assert.equal(ms.path, '/time');
    assert.match(ms.detail, /milliseconds/);
    assert.equal(invalid(server({ time: -1 })).path, '/time');
  });

  void it('a missing required field is invalid, naming the field', () => {
    assert.deepEqual(invalid(server({ peer_id: undefined })), {
      verdict: 'invalid',
      path: '/peer_id',
      detail: 'required field is missing',
      action: 'peer.create',
    });
  });

  void it('a wrong field type is invalid, saying what was expected and found', () => {
    assert.deepEqual(invalid(agent({ handshake_at: '1748000098' })), {
      verdict: 'invalid',
      path: '/handshake_at',
      detail: 'must be integer, got string "1748000098"',
      action: 'tunnel.connected',
    });
    const long = invalid(server({ peer_name: { nested: 'x'.repeat(500) } }));
    assert.equal(long.detail, 'must be string, got object');
  });

  void it('a missing or non-string action is invalid without an action in the verdict', () => {
    const missing = invalid(server({ action: undefined }));
    assert.equal(missing.path, '/action');
    assert.equal('action' in missing, false);
    const numeric = invalid(server({ action: 7 }));
    assert.equal(numeric.path, '/action');
    assert.equal(numeric.detail, 'must be string, got integer 7');
  });

  void it('an unknown action with a complete server or agent shape is valid, knownAction false', () => {
    const s = valid(server({ action: 'peer.frobnicate' }));
    assert.equal(s.knownAction, false);
    assert.equal(s.source, 'server');
    const a = valid(agent({ action: 'tunnel.frobnicate' }));
    assert.equal(a.knownAction, false);
    assert.equal(a.source, 'agent');
  });

  void it('an unknown action is still checked against the common fields and its shape', () => {
    assert.equal(invalid(server({ action: 'peer.frobnicate', remote_ip: undefined })).path, '/remote_ip');
    assert.equal(invalid(server({ action: 'peer.frobnicate', time: '1' })).path, '/time');
    assert.equal(invalid(agent({ action: 'x.y', network_id: undefined })).path, '/network_id');
    assert.equal(invalid(agent({ action: 'x.y', peer_id: 3 })).action, 'x.y');
  });

  void it('a 10,000-field object is classified correctly and quickly', () => {
    const event = JSON.parse(serverLine) as Record<string, unknown>;
    for (let i = 0; i < 10_000; i++) event[`extra_${i}`] = i % 2 === 0 ? `value-${i}` : i;
    const line = JSON.stringify(event);
    const start = performance.now();
    const result = classify(line);
    const elapsed = performance.now() - start;
    assert.equal(result.verdict, 'valid');
    assert.equal(result.verdict === 'valid' && Object.keys(result.event).length, 10_011);
    assert.ok(elapsed < 500, `took ${elapsed.toFixed(1)} ms`);
    event.peer_id = 99;
    assert.equal(invalid(JSON.stringify(event)).path, '/peer_id');
  });

  void it('never throws and always returns one of the five verdicts', () => {
    const verdicts = new Set(['not_json', 'empty', 'not_audit', 'invalid', 'valid']);
    const nasty = [
      '{',
      '}',
      '"',
      '\\',
      '[[[[',
      '{"a":'.repeat(5000),
      '['.repeat(100_000),
      '\u2028',
      '\uFEFF{}',
    ];
    for (let i = 0; i < serverLine.length; i++)
      nasty.push(serverLine.slice(0, i) + 'x' + serverLine.slice(i + 1));
    for (const line of nasty) assert.ok(verdicts.has(classify(line).verdict));
  });
});

void describe('classify: spec decisions (docs/audit-events.md)', () => {
  void it('1. level may be any string, not only "info", but must be a string', () => {
    for (const level of ['info', 'warn', 'debug', ''])
      assert.equal(classify(server({ level })).verdict, 'valid');
    assert.equal(invalid(server({ level: 30 })).path, '/level');
    assert.equal(invalid(server({ level: undefined })).path, '/level');
  });

  void it('2. actor_email may be empty (users without an email claim)', () => {
    valid(server({ actor_email: '' }));
    assert.equal(invalid(server({ actor_email: null })).path, '/actor_email');
  });

  void it('3. actor_id may be empty but must be present', () => {
    valid(server({ actor_id: '' }));
    assert.equal(invalid(server({ actor_id: undefined })).path, '/actor_id');
  });

  void it('4. remote_ip is any string: IPv4, IPv6, zoned IPv6, empty', () => {
    for (const ip of ['10.0.0.5', '2001:db8:85a3::8a2e:370:7334', '::1', 'fe80::1%eth0', '']) {
      valid(server({ remote_ip: ip }));
    }
    assert.equal(invalid(server({ remote_ip: 167772165 })).path, '/remote_ip');
  });

  void it('5. auth.login carries the actor like every server event', () => {
    const login = { action: 'auth.login', network_id: undefined, peer_id: undefined, peer_name: undefined };
    valid(server({ ...login, actor_id: 'admin', actor_email: 'admin@wirety.local', username: 'admin' }));
    assert.equal(invalid(server({ ...login, actor_id: undefined })).path, '/actor_id');
  });

  void it('6. network_id is one string field for both sources', () => {
    valid(server({ network_id: 'net-abc123' }));
    assert.equal(invalid(server({ network_id: 123 })).path, '/network_id');
    assert.equal(invalid(agent({ network_id: 123 })).path, '/network_id');
  });

  void it('7. actor_type "agent" is the only agent marker; any other actor_type is a server event', () => {
    assert.equal(valid(server({ actor_type: 'user' })).source, 'server');
    assert.equal(invalid(agent({ actor_type: 'Agent' })).path, '/actor_type');
  });

  void it('8. extra fields are allowed everywhere', () => {
    valid(server({ request_id: 'r-1', tags: ['a'], nested: { deep: [1, 2, { x: null }] } }));
    valid(agent({ upstream_servers: ['1.1.1.1'] }));
  });

  void it('9. tunnel.disconnected may omit endpoint and last_handshake (peer removed), but not mistype them', () => {
    valid(agent({ endpoint: undefined, last_handshake: undefined }, SPEC_DISCONNECTED));
    assert.equal(invalid(agent({ last_handshake: '1748003520' }, SPEC_DISCONNECTED)).path, '/last_handshake');
    assert.equal(invalid(agent({ endpoint: 51820 }, SPEC_DISCONNECTED)).path, '/endpoint');
    assert.equal(
      invalid(agent({ session_duration: undefined }, SPEC_DISCONNECTED)).path,
      '/session_duration',
    );
  });

  void it('10. session_duration is integer nanoseconds; negative (clock step) is kept, fractions are not', () => {
    valid(agent({ session_duration: -5_000_000_000 }, SPEC_DISCONNECTED));
    valid(agent({ session_duration: 0 }, SPEC_DISCONNECTED));
    assert.equal(
      invalid(agent({ session_duration: 3600000.5 }, SPEC_DISCONNECTED)).path,
      '/session_duration',
    );
    // Beyond 2^53 the number loses precision in JS but is still an integer: the line ships verbatim.
    valid(
      '{"level":"info","log_type":"audit","time":1748003700,"actor_type":"agent","peer_id":"p","network_id":"n","action":"tunnel.disconnected","peer_name":"x","peer_pubkey":"k","session_duration":9223372036854775807,"message":"audit"}',
    );
  });

  void it('11. handshake times are integer Unix seconds and may be negative (Go zero time)', () => {
    valid(agent({ handshake_at: -62135596800 }));
    assert.equal(invalid(agent({ handshake_at: 1748000098.5 })).path, '/handshake_at');
  });

  void it('12. counts are non-negative integers', () => {
    const fw = { action: 'firewall.sync', peer_name: undefined, peer_pubkey: undefined, endpoint: undefined };
    valid(agent({ ...fw, handshake_at: undefined, rule_count: 0 }));
    const negative = invalid(agent({ ...fw, handshake_at: undefined, rule_count: -1 }));
    assert.deepEqual([negative.path, negative.detail], ['/rule_count', 'must be >= 0, got integer -1']);
  });

  void it('13. a time written as 1748000000.0 is an integer once parsed, so it is accepted', () => {
    valid(serverLine.replace('"time":1748000000', '"time":1748000000.0'));
  });

  void it('14. leading and trailing whitespace around the object is accepted', () => {
    valid(`  ${serverLine}\t`);
  });
});
