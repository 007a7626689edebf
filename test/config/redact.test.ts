import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactConfig } from '../../src/config/redact.js';
import { runFile, sink } from './helpers.js';

const SECRETS = {
  LOKI_PW: 'loki-pw-1111',
  LOKI_BEARER: 'loki-bearer-2222',
  ES_KEY: 'es-key-3333',
  ES_PW: 'es-pw-4444',
  HEC: 'hec-token-5555',
  HDR: 'header-value-6666',
};

const FILE = `
sinks:
  loki:
    type: loki
    url: http://loki:3100
    auth: { username: alice, password: "\${LOKI_PW}" }
    headers: { X-Custom-Auth: "\${HDR}" }
  loki2:
    type: loki
    url: http://loki2:3100
    auth: { bearer_token: "\${LOKI_BEARER}" }
  es:
    type: elasticsearch
    url: https://es:9200
    auth: { api_key: "\${ES_KEY}" }
  es2:
    type: elasticsearch
    url: https://es2:9200
    auth: { username: bob, password: "\${ES_PW}" }
  splunk:
    type: splunk_hec
    url: https://splunk:8088
    token: \${HEC}
    headers: { X-Other: "\${HDR}" }
`;

describe('redactConfig', () => {
  it('no secret value appears anywhere in the redacted config', async () => {
    const config = await runFile(FILE, SECRETS);
    assert.equal(
      sink(config, 'loki', 'loki').auth.password,
      SECRETS.LOKI_PW,
      'the real config keeps the secret',
    );
    const json = JSON.stringify(redactConfig(config));
    for (const [name, value] of Object.entries(SECRETS)) assert.ok(!json.includes(value), `${name} leaked`);
  });

  it('replaces secrets and header values with "[redacted]" and keeps everything else', async () => {
    const config = await runFile(FILE, SECRETS);
    const redacted = redactConfig(config) as { sinks: Record<string, unknown>[]; buffer: unknown };
    const [loki, loki2, es, es2, splunk] = redacted.sinks as {
      auth: Record<string, string>;
      headers: Record<string, string>;
      token?: string;
      url: string;
    }[];
    assert.deepEqual(loki?.auth, { username: 'alice', password: REDACTED });
    assert.deepEqual(loki?.headers, { 'X-Custom-Auth': REDACTED });
    assert.equal(loki?.url, 'http://loki:3100');
    assert.deepEqual(loki2?.auth, { bearer_token: REDACTED });
    assert.deepEqual(es?.auth, { api_key: REDACTED });
    assert.deepEqual(es2?.auth, { username: 'bob', password: REDACTED });
    assert.equal(splunk?.token, REDACTED);
    assert.deepEqual(splunk?.headers, { 'X-Other': REDACTED });
    assert.deepEqual(redacted.buffer, config.buffer);
  });

  it('leaves the config itself untouched', async () => {
    const config = await runFile(FILE, SECRETS);
    redactConfig(config);
    assert.equal(sink(config, 'splunk', 'splunk_hec').token, SECRETS.HEC);
  });
});
