import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { only, podOf, render, renderExample, renderFails, shipConfig, volumeAt } from './chart.js';

const SECRET_KEYS = new Set(['password', 'bearer_token', 'api_key', 'token']);

/** Every secret-named key in the config, with its value. */
function secretValues(node: unknown, path = ''): [string, unknown][] {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]): [string, unknown][] => {
    const where = path ? `${path}.${key}` : key;
    if (SECRET_KEYS.has(key)) return [[where, value]];
    return secretValues(value, where);
  });
}

describe('helm chart: secrets come from existing Secrets, as files', async () => {
  const objects = await render('daemonset-full-values.yaml');
  const { text, config } = shipConfig(objects);
  const pod = podOf(only(objects, 'DaemonSet'));
  const sinks = config.sinks as Record<string, Record<string, Record<string, unknown> | string>>;

  it('maps each secretFiles entry to the sink *_file key and a mounted Secret key', () => {
    const { mount, volume } = volumeAt(pod, '/etc/wirety-ship/secrets');
    assert.equal(mount.readOnly, true);
    const sources = volume.projected?.sources?.map((s) => [s.secret?.name, s.secret?.items]);
    assert.deepEqual(sources, [
      ['es-credentials', [{ key: 'api-key', path: 'elasticsearch/auth.api_key' }]],
      ['es-ca', [{ key: 'ca.crt', path: 'elasticsearch/tls.ca' }]],
      ['loki-credentials', [{ key: 'password', path: 'loki/auth.password' }]],
      ['splunk-hec', [{ key: 'token', path: 'splunk/token' }]],
    ]);
    assert.equal(volume.projected?.defaultMode, 0o400);
    assert.deepEqual(sinks.loki?.auth, {
      username: 'wirety',
      password_file: '/etc/wirety-ship/secrets/loki/auth.password',
    });
    assert.deepEqual(sinks.elasticsearch?.auth, { api_key_file: '/etc/wirety-ship/secrets/elasticsearch/auth.api_key' });
    assert.deepEqual(sinks.elasticsearch?.tls, { ca_file: '/etc/wirety-ship/secrets/elasticsearch/tls.ca' });
    assert.equal(sinks.splunk?.token_file, '/etc/wirety-ship/secrets/splunk/token');
    assert.ok(!text.includes('secretFiles'), 'secretFiles is the chart’s, not the config’s');
  });

  it('holds no secret value in the ConfigMap: only ${VAR} references', () => {
    const found = secretValues(config);
    assert.deepEqual(found, [['sinks.archive.auth.password', '${ARCHIVE_PASSWORD}']]);
    const env = pod.ship.env?.find((e) => e.name === 'ARCHIVE_PASSWORD');
    assert.deepEqual(env?.valueFrom?.secretKeyRef, { name: 'archive-credentials', key: 'password' });
  });

  it('mounts no secrets volume when no sink has secretFiles', async () => {
    const plain = podOf(only(await render({ sinks: { loki: { url: 'http://loki:3100' } } }), 'DaemonSet'));
    assert.equal(
      plain.ship.volumeMounts?.some((m) => m.mountPath === '/etc/wirety-ship/secrets'),
      false,
    );
  });

  for (const [where, values] of [
    ['sinks.loki.auth.password', { sinks: { loki: { url: 'http://l', auth: { username: 'u', password: 'hunter2' } } } }],
    ['sinks.splunk.token', { sinks: { splunk: { url: 'https://s:8088', token: 'c0ffee' } } }],
    ['sinks.elasticsearch.auth.api_key', { sinks: { elasticsearch: { url: 'https://e', auth: { api_key: 'a2V5' } } } }],
    ['sinks.loki.auth.bearer_token', { sinks: { loki: { url: 'http://l', auth: { bearer_token: 'Bearer ${T}' } } } }],
    ['inputs.x.token', { config: { inputs: { x: { token: 'abc' } } } }],
  ] as const) {
    it(`refuses a secret written in values (${where}): it would be stored in the ConfigMap`, async () => {
      const message = await renderFails(values);
      assert.match(message, new RegExp(`${where.replaceAll('.', '\\.')}: a secret must not be written in values`));
      assert.match(message, /secretFiles/);
      assert.doesNotMatch(message, /hunter2|c0ffee|a2V5/, 'the error does not repeat the secret');
    });
  }

  it('the sidecar mounts the secrets in the wirety-server pod too', async () => {
    const secretFiles = { token_file: { secretName: 'splunk-hec', key: 'token' } };
    const objects = await renderExample({ 'wirety-ship': { sinks: { splunk: { url: 'https://s:8088', secretFiles } } } });
    const sidecar = podOf(only(objects, 'Deployment'));
    const { mount, volume } = volumeAt(sidecar, '/etc/wirety-ship/secrets');
    assert.equal(mount.readOnly, true);
    assert.deepEqual(volume.projected?.sources?.[0]?.secret?.items, [{ key: 'token', path: 'splunk/token' }]);
    assert.equal(shipConfig(objects).config.sinks?.splunk?.token_file, '/etc/wirety-ship/secrets/splunk/token');
  });
});
