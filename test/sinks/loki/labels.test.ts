import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LokiSinkConfig } from '../../../src/config/types.js';
import { createLabeler, validateLokiLabels } from '../../../src/sinks/loki/labels.js';
import { agentLine, makeRecord, serverLine } from '../../helpers/records.js';
import { parseLokiLabels } from '../../receivers/loki-receiver.js';

type LabelConfig = Pick<LokiSinkConfig, 'name' | 'labels' | 'label_fields' | 'structured_metadata_fields'>;
const valid: LabelConfig = {
  name: 'loki',
  labels: { job: 'wirety' },
  label_fields: [],
  structured_metadata_fields: [],
};
const errorsFor = (overrides: Partial<LabelConfig>) => validateLokiLabels({ ...valid, ...overrides });

const recordWith = (patch: Record<string, unknown>, base = serverLine) =>
  makeRecord(1, JSON.stringify({ ...(JSON.parse(base) as object), ...patch }));

void test('label set: static labels + source, names sorted', () => {
  const labelsOf = createLabeler({ labels: { zone: 'eu', job: 'wirety' }, label_fields: [] });
  assert.equal(labelsOf(makeRecord(1, serverLine)).text, '{job="wirety",source="server",zone="eu"}');
  assert.equal(labelsOf(makeRecord(2, agentLine)).text, '{job="wirety",source="agent",zone="eu"}');
});

void test('label_fields values become labels; missing or empty values are omitted', () => {
  const labelsOf = createLabeler({
    labels: { job: 'wirety' },
    label_fields: ['action', 'actor_type', 'level'],
  });
  assert.equal(
    labelsOf(makeRecord(1, agentLine)).text,
    '{action="tunnel.connected",actor_type="agent",job="wirety",level="info",source="agent"}',
  );
  assert.equal(
    labelsOf(makeRecord(2, serverLine)).text,
    '{action="peer.create",job="wirety",level="info",source="server"}',
  );
  assert.equal(
    labelsOf(recordWith({ level: '' })).text,
    '{action="peer.create",job="wirety",source="server"}',
  );
});

void test('one label set gives one cached object, so a stream key is built once', () => {
  const labelsOf = createLabeler({ labels: { job: 'wirety' }, label_fields: ['action'] });
  const a = labelsOf(makeRecord(1, serverLine));
  assert.equal(labelsOf(makeRecord(2, serverLine)), a);
  assert.notEqual(labelsOf(recordWith({ action: 'peer.delete' })), a);
  assert.deepEqual(a.bytes, Buffer.from(a.text));
});

void test('label values are escaped and parse back to the original value', () => {
  const value = 'we"ird\\ value\nwith é and 🎉\ttab';
  const labelsOf = createLabeler({ labels: { job: 'wirety' }, label_fields: ['action'] });
  const set = labelsOf(recordWith({ action: value }));
  assert.ok(!set.text.includes('\n'), 'no raw newline in the selector');
  assert.equal(parseLokiLabels(set.text).action, value);
});

void test('non-string label values are stringified; over-long values are cut to Loki\u2019s limit', () => {
  const labelsOf = createLabeler({ labels: { job: 'wirety' }, label_fields: ['n', 'long'] });
  const set = labelsOf(recordWith({ n: 3, long: 'é'.repeat(5000) }));
  const labels = parseLokiLabels(set.text);
  assert.equal(labels.n, '3');
  assert.ok(Buffer.byteLength(labels.long!) <= 2048);
});

void test('a valid config has no errors; low-cardinality fields are allowed', () => {
  assert.deepEqual(errorsFor({ label_fields: ['action', 'level', 'actor_type', 'log_type'] }), []);
  assert.deepEqual(errorsFor({ structured_metadata_fields: ['peer_id', 'actor_email', 'remote_ip'] }), []);
});

void test('high-cardinality fields are refused as labels, pointing to structured_metadata_fields', () => {
  const refused = [
    'peer_id',
    'network_id',
    'actor_id',
    'target_user_id',
    'actor_email',
    'remote_ip',
    'endpoint',
    'peer_pubkey',
    'peer_name',
    'network_name',
    'domain',
    'handshake_at',
    'last_handshake',
    'session_duration',
    'time',
    'old_name',
    'new_name',
    'new_interface',
    'rule_count',
    'peer_count',
    'message',
  ];
  for (const field of refused) {
    const errors = errorsFor({ label_fields: [field] });
    assert.equal(errors.length, 1, field);
    assert.match(errors[0]!, /^sinks\.loki\.label_fields: /);
    assert.match(errors[0]!, new RegExp(`\`${field}\` is high-cardinality`));
    assert.match(errors[0]!, /structured_metadata_fields/);
  }
  assert.equal(
    errorsFor({ label_fields: ['peer_id'] })[0],
    'sinks.loki.label_fields: `peer_id` is high-cardinality (one value per peer): Loki would create a stream per value. Put it in structured_metadata_fields instead.',
  );
});

void test('label names must be valid Loki names and not reserved', () => {
  assert.match(
    errorsFor({ label_fields: ['1abc'] })[0]!,
    /^sinks\.loki\.label_fields: "1abc" is not a valid Loki label name/,
  );
  assert.match(errorsFor({ label_fields: ['a-b'] })[0]!, /not a valid Loki label name/);
  assert.match(
    errorsFor({ labels: { 'team.name': 'x' } })[0]!,
    /^sinks\.loki\.labels: "team\.name" is not a valid/,
  );
  assert.match(errorsFor({ label_fields: ['__name__'] })[0]!, /reserves/);
  assert.match(errorsFor({ labels: { __x: 'y' } })[0]!, /^sinks\.loki\.labels: .*reserves/);
});

void test('the built-in source label and duplicates are refused', () => {
  assert.match(
    errorsFor({ labels: { source: 'x' } })[0]!,
    /^sinks\.loki\.labels: "source" is set by wirety-ship/,
  );
  assert.match(
    errorsFor({ label_fields: ['source'] })[0]!,
    /^sinks\.loki\.label_fields: "source" is already a label/,
  );
  assert.match(errorsFor({ label_fields: ['action', 'action'] })[0]!, /"action" is listed twice/);
  assert.match(errorsFor({ labels: { level: 'x' }, label_fields: ['level'] })[0]!, /also a static label/);
});

void test('static label values must be non-empty and at most 2048 bytes', () => {
  assert.match(errorsFor({ labels: { job: '' } })[0]!, /^sinks\.loki\.labels: "job" has an empty value/);
  assert.match(errorsFor({ labels: { job: 'é'.repeat(1025) } })[0]!, /^sinks\.loki\.labels: .*2048-byte/);
  assert.deepEqual(errorsFor({ labels: { job: 'x'.repeat(2048) } }), []);
});

void test('at most 15 labels per stream, source included', () => {
  const labels = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`l${i}`, 'v']));
  assert.deepEqual(errorsFor({ labels }), []);
  const errors = errorsFor({ labels, label_fields: ['action'] });
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /16 labels per stream .* limit of 15/);
});

void test('structured_metadata_fields: valid names, no duplicates, event_id is built in', () => {
  assert.match(
    errorsFor({ structured_metadata_fields: ['a b'] })[0]!,
    /^sinks\.loki\.structured_metadata_fields: /,
  );
  assert.match(errorsFor({ structured_metadata_fields: ['event_id'] })[0]!, /always sent/);
  assert.match(errorsFor({ structured_metadata_fields: ['peer_id', 'peer_id'] })[0]!, /listed twice/);
});

void test('the sink name appears in every message', () => {
  const errors = validateLokiLabels({
    ...valid,
    name: 'prod_loki',
    label_fields: ['remote_ip'],
    labels: { job: '' },
  });
  assert.equal(errors.length, 2);
  for (const e of errors) assert.match(e, /^sinks\.prod_loki\./);
});
