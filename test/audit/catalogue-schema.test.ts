// The catalogue (code) and the published JSON Schema (config/) must say exactly the same thing:
// every action, its source, every field with its type and whether it is required. Checked both
// structurally and by validating examples against the schema's own top-level dispatch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import {
  AGENT_FIELDS,
  CATALOGUE,
  COMMON_FIELDS,
  SERVER_FIELDS,
  type ActionSpec,
  type FieldType,
} from '../../src/audit/catalogue.js';
import { readAuditSchema } from '../../src/audit/schema.js';

interface SchemaNode {
  [key: string]: unknown;
  required?: string[];
  properties?: Record<string, Record<string, unknown>>;
  allOf?: SchemaNode[];
}

const schema = readAuditSchema() as SchemaNode & { definitions: Record<string, SchemaNode> };
const defs = schema.definitions;
const STRUCTURAL = new Set([
  'string',
  'count',
  'unix_seconds',
  'duration_ns',
  'common-fields',
  'server-actor',
  'agent-actor',
  'server-event',
  'agent-event',
]);

/** What each catalogue FieldType must mean in JSON Schema terms (descriptions aside). */
const TYPE_SCHEMA: Record<FieldType, Record<string, unknown>> = {
  string: { type: 'string' },
  count: { type: 'integer', minimum: 0 },
  unix_seconds: { type: 'integer' },
  duration_ns: { type: 'integer' },
};
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
const withoutDescription = (node: SchemaNode | undefined) => {
  const { description: _description, ...rest } = node ?? {};
  return rest;
};

void describe('catalogue vs published schema', () => {
  void it('is draft-07 with an $id', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeof schema.$id, 'string');
  });

  void it('defines exactly the catalogue actions, besides the structural definitions', () => {
    const actions = Object.keys(defs).filter((name) => !STRUCTURAL.has(name));
    assert.deepEqual(actions.sort(), CATALOGUE.map((s) => s.action).sort());
    for (const name of STRUCTURAL) assert.ok(defs[name], `definition ${name}`);
  });

  void it('defines each field type as the catalogue means it', () => {
    for (const [type, expected] of Object.entries(TYPE_SCHEMA)) {
      assert.deepEqual(withoutDescription(defs[type]), expected, type);
    }
  });

  void it('has the catalogue common, server and agent fields, all required', () => {
    assert.deepEqual(defs['common-fields']?.required, COMMON_FIELDS);
    assert.deepEqual(Object.keys(defs['common-fields']?.properties ?? {}), COMMON_FIELDS);
    assert.deepEqual(defs['server-actor']?.required, SERVER_FIELDS);
    assert.deepEqual(defs['agent-actor']?.required, AGENT_FIELDS);
    assert.deepEqual(defs['server-event']?.allOf, [ref('common-fields'), ref('server-actor')]);
    assert.deepEqual(defs['agent-event']?.allOf, [ref('common-fields'), ref('agent-actor')]);
  });

  for (const spec of CATALOGUE) {
    void it(`${spec.action}: same source, fields, types, required set and trigger`, () => {
      const def = defs[spec.action];
      assert.ok(def, 'definition exists');
      assert.deepEqual(def.allOf, [ref('common-fields'), ref(`${spec.source}-actor`)]);
      assert.deepEqual(
        def.required,
        spec.fields.filter((f) => f.required).map((f) => f.name),
      );
      assert.deepEqual(def.properties, Object.fromEntries(spec.fields.map((f) => [f.name, ref(f.type)])));
      assert.ok(String(def.description).startsWith(spec.trigger), String(def.description));
    });
  }

  void it('dispatches every catalogue action, in catalogue order, to its definition', () => {
    const dispatch = (schema.allOf ?? []).slice(2).map((entry) => {
      const cond = entry.if as SchemaNode;
      return [cond.properties?.action?.const, entry.then];
    });
    assert.deepEqual(
      dispatch,
      CATALOGUE.map((s) => [s.action, ref(s.action)]),
    );
  });
});

void describe('published schema, validated by itself (top-level dispatch)', () => {
  const ajv = new Ajv({ strict: true });
  const validate = ajv.compile(schema);
  const sample: Record<FieldType, unknown> = {
    string: 'x',
    count: 3,
    unix_seconds: 1748000000,
    duration_ns: 3600000000000,
  };
  const wrong: Record<FieldType, unknown> = { string: 3, count: -3, unix_seconds: '1', duration_ns: 0.5 };
  const example = (spec: ActionSpec): Record<string, unknown> => ({
    level: 'info',
    log_type: 'audit',
    time: 1748000000,
    action: spec.action,
    message: 'audit',
    ...(spec.source === 'agent'
      ? { actor_type: 'agent', peer_id: 'p', network_id: 'n' }
      : { actor_id: 'a', actor_email: 'a@example.com', remote_ip: '10.0.0.5' }),
    ...Object.fromEntries(spec.fields.map((f) => [f.name, sample[f.type]])),
  });

  for (const spec of CATALOGUE) {
    void it(`${spec.action}: accepts the catalogue shape, rejects each missing required field and wrong type`, () => {
      assert.equal(validate(example(spec)), true, JSON.stringify(validate.errors));
      for (const field of spec.fields) {
        const missing = example(spec);
        delete missing[field.name];
        assert.equal(validate(missing), !field.required, `without ${field.name}`);
        assert.equal(validate({ ...example(spec), [field.name]: wrong[field.type] }), false, field.name);
      }
      const other =
        spec.source === 'agent'
          ? { ...example(spec), actor_type: undefined, actor_id: 'a', actor_email: '', remote_ip: '' }
          : { ...example(spec), actor_type: 'agent', peer_id: 'p', network_id: 'n' };
      assert.equal(validate(JSON.parse(JSON.stringify(other))), false, 'other source shape');
    });
  }

  void it('accepts an unknown action with either shape and rejects it without one', () => {
    const base = { level: 'info', log_type: 'audit', time: 1, action: 'x.y', message: 'audit' };
    assert.equal(validate({ ...base, actor_id: 'a', actor_email: '', remote_ip: '' }), true);
    assert.equal(validate({ ...base, actor_type: 'agent', peer_id: 'p', network_id: 'n' }), true);
    assert.equal(validate(base), false);
  });
});
