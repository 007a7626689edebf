// Where the schema comes from, and what happens when it cannot be used: a clear error at
// startup naming the file, never a classifier that silently accepts or rejects everything.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/audit/classify.js';
import { defaultSchemaPath } from '../../src/audit/schema.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const published = join(repoRoot, 'config', 'audit-event.schema.json');
interface SchemaDoc {
  $id?: string;
  allOf: { then?: { $ref?: string } }[];
  definitions: Record<string, Record<string, unknown>>;
}
const firewallLine =
  '{"level":"info","log_type":"audit","time":1748000000,"actor_type":"agent","peer_id":"p","network_id":"n","action":"firewall.sync","rule_count":42,"message":"audit"}';

void describe('audit schema loading', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wirety-schema-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const publishedSchema = () => JSON.parse(readFileSync(published, 'utf8')) as SchemaDoc;

  void it('defaults to the published config/audit-event.schema.json at the package root', () => {
    // src/audit/ and dist/audit/ are both two levels below the root, so this one relative path
    // serves tsx and the tsc build alike.
    assert.equal(defaultSchemaPath, published);
    assert.equal(createClassifier()(firewallLine).verdict, 'valid');
  });

  void it('uses the schema at the given path instead of the default', () => {
    const schema = publishedSchema();
    schema.definitions.count = { ...schema.definitions.count, maximum: 10 };
    const classify = createClassifier(write('strict-count.json', JSON.stringify(schema)));
    const result = classify(firewallLine);
    assert.equal(result.verdict, 'invalid');
    assert.equal(result.verdict === 'invalid' && result.path, '/rule_count');
    assert.equal(result.verdict === 'invalid' && result.detail, 'must be <= 10, got integer 42');
  });

  void it('works with a schema that has no $id', () => {
    const schema = publishedSchema();
    delete schema.$id;
    assert.equal(
      createClassifier(write('no-id.json', JSON.stringify(schema)))(firewallLine).verdict,
      'valid',
    );
  });

  void it('throws, naming the file, when the schema file is missing', () => {
    const path = join(dir, 'missing.json');
    assert.throws(
      () => createClassifier(path),
      (err: Error) => err.message.includes(path) && /cannot read/.test(err.message),
    );
  });

  void it('throws, naming the file, when the schema is not JSON', () => {
    const path = write('broken.json', '{"definitions": ');
    assert.throws(
      () => createClassifier(path),
      (err: Error) => err.message.includes(path) && /not valid JSON/.test(err.message),
    );
  });

  void it('throws when the schema is not a JSON object', () => {
    const path = write('array.json', '[]');
    assert.throws(() => createClassifier(path), /must be a JSON object/);
  });

  void it('throws when the file is not a valid JSON Schema', () => {
    const schema = publishedSchema();
    schema.definitions.count = { ...schema.definitions.count, type: 5 };
    const path = write('bad-type.json', JSON.stringify(schema));
    assert.throws(
      () => createClassifier(path),
      (err: Error) => err.message.includes(path) && /schema is invalid/.test(err.message),
    );
  });

  void it('throws when a catalogue action has no definition in the schema', () => {
    const schema = publishedSchema();
    delete schema.definitions['peer.create'];
    schema.allOf = schema.allOf.filter((entry) => entry.then?.$ref !== '#/definitions/peer.create');
    const path = write('no-peer-create.json', JSON.stringify(schema));
    assert.throws(() => createClassifier(path), /no definition "peer\.create"/);
  });
});
