import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createCredentials } from '../../src/transport/credentials.js';
import type { Credentials } from '../../src/contract/sink.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wirety-credentials-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const auth = (h: Readonly<Record<string, string>>) => h.authorization;

function assertNoSecret(credentials: Credentials, secret: string): void {
  for (const text of [
    (credentials as unknown as { toString(): string }).toString(),
    `${credentials as unknown as string}`,
    JSON.stringify(credentials),
    JSON.stringify({ credentials }),
    inspect(credentials, { showHidden: true, depth: Infinity }),
    inspect({ nested: credentials }, { showHidden: true, depth: Infinity }),
  ]) {
    assert.ok(!text.includes(secret), `secret leaked in: ${text}`);
  }
}

void test('no auth configured => no credentials', () => {
  assert.equal(createCredentials({}), undefined);
});

void test('basic auth from username and password', () => {
  const c = createCredentials({ username: 'ship', password: 's3cret-pw' })!;
  assert.equal(auth(c.headers()), `Basic ${Buffer.from('ship:s3cret-pw').toString('base64')}`);
  assertNoSecret(c, 's3cret-pw');
  assertNoSecret(c, Buffer.from('ship:s3cret-pw').toString('base64'));
});

void test('basic auth password_file: trailing newline trimmed', async () => {
  const file = join(dir, 'password');
  await writeFile(file, 'file-pw\n');
  const c = createCredentials({ username: 'ship', password_file: file })!;
  assert.equal(auth(c.headers()), `Basic ${Buffer.from('ship:file-pw').toString('base64')}`);
});

void test('static bearer token', () => {
  const c = createCredentials({ bearer_token: 'tok-static-123' })!;
  assert.equal(auth(c.headers()), 'Bearer tok-static-123');
  assertNoSecret(c, 'tok-static-123');
});

void test('bearer_token_file is re-read on refresh, so a rotated token is used', async () => {
  const file = join(dir, 'token');
  await writeFile(file, 'token-one\n');
  const c = createCredentials({ bearer_token_file: file })!;
  assert.equal(auth(c.headers()), 'Bearer token-one');
  await writeFile(file, 'token-two\r\n');
  assert.equal(auth(c.headers()), 'Bearer token-one', 'only refresh() re-reads');
  await c.refresh();
  assert.equal(auth(c.headers()), 'Bearer token-two');
  assertNoSecret(c, 'token-two');
});

void test('refresh keeps the old token when the file is gone or empty, and never throws', async () => {
  const file = join(dir, 'token-vanishing');
  await writeFile(file, 'kept-token');
  const c = createCredentials({ bearer_token_file: file })!;
  await unlink(file);
  await c.refresh();
  assert.equal(auth(c.headers()), 'Bearer kept-token');
  await writeFile(file, '\n');
  await c.refresh();
  assert.equal(auth(c.headers()), 'Bearer kept-token');
});

void test('ApiKey from api_key and from api_key_file', async () => {
  assert.equal(auth(createCredentials({ api_key: 'aWQ6a2V5' })!.headers()), 'ApiKey aWQ6a2V5');
  const file = join(dir, 'apikey');
  await writeFile(file, 'ZmlsZTprZXk=\n');
  const c = createCredentials({ api_key_file: file })!;
  assert.equal(auth(c.headers()), 'ApiKey ZmlsZTprZXk=');
  assertNoSecret(c, 'ZmlsZTprZXk=');
});

void test('Splunk scheme from token, and from tokenFile re-read on refresh', async () => {
  const s = createCredentials({}, { scheme: 'Splunk', token: '11111111-2222-3333-4444-555555555555' })!;
  assert.equal(auth(s.headers()), 'Splunk 11111111-2222-3333-4444-555555555555');
  assertNoSecret(s, '11111111-2222-3333-4444-555555555555');

  const file = join(dir, 'hec-token');
  await writeFile(file, 'hec-one\n');
  const f = createCredentials({}, { scheme: 'Splunk', tokenFile: file })!;
  assert.equal(auth(f.headers()), 'Splunk hec-one');
  await writeFile(file, 'hec-two\n');
  await f.refresh();
  assert.equal(auth(f.headers()), 'Splunk hec-two');
});

void test('secrets() lists what a receiver could echo: the secret, user:secret, a decoded API key', () => {
  assert.deepEqual(createCredentials({ username: 'ship', password: 'pw-1' })!.secrets(), [
    'pw-1',
    'ship:pw-1',
  ]);
  assert.deepEqual(createCredentials({ bearer_token: 'tok-1' })!.secrets(), ['tok-1']);
  assert.deepEqual(createCredentials({}, { scheme: 'Splunk', token: 'hec-1' })!.secrets(), ['hec-1']);
  const apiKey = Buffer.from('key-id:key-secret').toString('base64');
  assert.deepEqual(createCredentials({ api_key: apiKey })!.secrets(), [
    apiKey,
    'key-id:key-secret',
    'key-secret',
  ]);
  // Not base64 of id:key: only the value itself.
  assert.deepEqual(createCredentials({ api_key: 'opaque-key' })!.secrets(), ['opaque-key']);
  // A username without a password has nothing secret to scrub.
  assert.deepEqual(createCredentials({ username: 'ship' })!.secrets(), []);
});

void test('secrets() keeps every token a re-read replaced, and the new one, without showing them', async () => {
  const file = join(dir, 'rotating');
  await writeFile(file, 'rot-one\n');
  const c = createCredentials({ username: 'ship', password_file: file })!;
  await writeFile(file, 'rot-two\n');
  await c.refresh();
  await c.refresh();
  assert.deepEqual(c.secrets(), ['rot-one', 'ship:rot-one', 'rot-two', 'ship:rot-two']);
  assertNoSecret(c, 'rot-one');
  assertNoSecret(c, 'rot-two');
});

void test('an unreadable or empty secret file at creation is an error naming the path, never the content', async () => {
  const missing = join(dir, 'does-not-exist');
  assert.throws(
    () => createCredentials({ bearer_token_file: missing }),
    (error: Error) => {
      assert.match(error.message, /bearer_token_file/);
      assert.ok(error.message.includes(missing));
      return true;
    },
  );
  const empty = join(dir, 'empty');
  await writeFile(empty, '\n');
  assert.throws(
    () => createCredentials({ api_key_file: empty }),
    new RegExp(empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  );
  // A directory is unreadable as a file: the message must still carry only the path.
  assert.throws(
    () => createCredentials({ username: 'u', password_file: dir }),
    (error: Error) => {
      assert.ok(error.message.includes(dir));
      return true;
    },
  );
});
