import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fails, failsFile, run, runFile, sink } from './helpers.js';

const sinkFile = (type: string, ...lines: string[]) =>
  ['sinks:', '  s:', `    type: ${type}`, ...lines.map((l) => `    ${l}`), ''].join('\n');
const loki = (...lines: string[]) => sinkFile('loki', 'url: http://loki:3100', ...lines);
const es = (...lines: string[]) => sinkFile('elasticsearch', 'url: https://es:9200', ...lines);
const splunk = (...lines: string[]) => sinkFile('splunk_hec', 'url: https://splunk:8088', ...lines);

async function problem(text: string, pattern: RegExp, env = {}): Promise<string> {
  const error = await failsFile(text, env);
  assert.match(error.message, pattern);
  return error.message;
}

describe('sink URLs', () => {
  it('must be http or https', async () => {
    await problem(
      sinkFile('loki', 'url: ftp://loki'),
      /ship\.yaml:4: sinks\.s\.url: must start with http:\/\/ or https:\/\//,
    );
    await problem(sinkFile('loki', 'url: not a url'), /sinks\.s\.url: is not a valid URL/);
  });

  it('must not carry credentials, and the message does not repeat them', async () => {
    const message = await problem(
      sinkFile('loki', 'url: https://bob:hunter2@loki:3100'),
      /sinks\.s\.url: must not contain a user name or password/,
    );
    assert.doesNotMatch(message, /hunter2|bob/);
  });

  it('must be a base URL: no query, no API path', async () => {
    await problem(sinkFile('loki', 'url: http://loki:3100/?x=1'), /sinks\.s\.url: must not have a query/);
    await problem(
      sinkFile('loki', 'url: http://loki:3100/loki/api/v1/push'),
      /sinks\.s\.url: must be the base URL, without the API path/,
    );
    await problem(sinkFile('elasticsearch', 'url: http://es:9200/_bulk'), /without the API path/);
    await problem(
      sinkFile('splunk_hec', 'url: https://s:8088/services/collector/event', 'token: t'),
      /without the API path/,
    );
  });

  it('is required, and a flag sink says which flag sets it', async () => {
    await problem(sinkFile('loki'), /ship\.yaml:2: sinks\.s\.url: is required/);
    const error = await fails(['--loki-tenant', 'acme']);
    assert.match(
      error.message,
      /^command line \(--loki-tenant\): sinks\.loki\.url: is required\n {2}hint: set it in the file, or with --loki <url> or WIRETY_SHIP_LOKI_URL/,
    );
  });

  it('a proxy path prefix is fine', async () => {
    const config = await run(['--elasticsearch', 'https://proxy.example/es/']);
    assert.equal(
      config.sinks[0]?.type === 'elasticsearch' && config.sinks[0].url,
      'https://proxy.example/es',
    );
  });
});

describe('authentication', () => {
  it('allows at most one method per sink', async () => {
    await problem(
      es('auth: { username: u, password: p, api_key: k }'),
      /sinks\.s\.auth: sets more than one way to authenticate: basic \(username\/password\) and API key/,
    );
    await problem(loki('auth: { bearer_token: t, username: u, password: p }'), /more than one way/);
  });

  it('keeps inline secrets and their *_file exclusive', async () => {
    await problem(
      loki('auth: { username: u, password: p, password_file: f }'),
      /sinks\.s\.auth\.password_file: cannot be used together with auth\.password/,
    );
    await problem(
      loki('auth: { bearer_token: t, bearer_token_file: f }'),
      /auth\.bearer_token_file: cannot be used together/,
    );
    await problem(es('auth: { api_key: k, api_key_file: f }'), /auth\.api_key_file: cannot be used together/);
    await problem(
      splunk('token: t', 'token_file: f'),
      /sinks\.s\.token_file: cannot be used together with token/,
    );
  });

  it('pairs username and password', async () => {
    await problem(
      loki('auth: { username: u }'),
      /sinks\.s\.auth\.username: is set without auth\.password or auth\.password_file/,
    );
    await problem(loki('auth: { password: p }'), /sinks\.s\.auth: has a password but no auth\.username/);
  });

  it('Splunk needs a token or a token file', async () => {
    await problem(splunk(), /sinks\.s\.token: is required \(or token_file\)/);
    const error = await fails(['--splunk-hec', 'https://splunk:8088']);
    assert.match(
      error.message,
      /sinks\.splunk\.token: is required.*\n {2}hint: set WIRETY_SHIP_SPLUNK_TOKEN or --splunk-token-file/,
    );
  });
});

describe('TLS and headers', () => {
  it('a client certificate needs its key', async () => {
    await problem(loki('tls: { cert_file: c.pem }'), /sinks\.s\.tls: needs both cert_file and key_file/);
  });

  it('refuses headers that would break the request or fight the auth settings', async () => {
    await problem(
      loki('headers: { Content-Type: text/plain }'),
      /sinks\.s\.headers\.Content-Type: is set by wirety-ship itself/,
    );
    await problem(loki('headers: { "bad header": x }'), /is not a valid HTTP header name/);
    await problem(
      loki('headers: { X-A: "a\\r\\nInjected: 1" }'),
      /sinks\.s\.headers\.X-A: must not contain line breaks/,
    );
    await problem(
      loki('auth: { bearer_token: t }', 'headers: { Authorization: x }'),
      /headers\.Authorization: conflicts with the auth settings/,
    );
  });
});

describe('receiver rules', () => {
  it('Loki tenant must be a valid tenant id', async () => {
    await problem(
      loki('tenant: "a b"'),
      /ship\.yaml:5: sinks\.s\.tenant: Loki tenant ids are 1 to 150 characters/,
    );
  });

  it("Loki labels are checked by the Loki sink's own rules, with the key and its origin", async () => {
    await problem(
      loki('label_fields: [peer_id]'),
      /ship\.yaml:\d+: sinks\.s\.label_fields: `peer_id` is high-cardinality/,
    );
    await problem(loki('labels: { 1bad: x }'), /sinks\.s\.labels: "1bad" is not a valid Loki label name/);
    const error = await fails(['--loki', 'http://loki:3100', '--loki-label', '__x=1']);
    assert.match(error.message, /command line \(--loki-label\): sinks\.loki\.labels: "__x" starts with "__"/);
  });

  it('a tenant and an X-Scope-OrgID header conflict', async () => {
    await problem(
      loki('tenant: acme', 'headers: { x-scope-orgid: other }'),
      /sinks\.s\.headers\.x-scope-orgid: conflicts with tenant/,
    );
  });

  it('Loki metadata fields are refused when structured metadata is off (they would not be sent)', async () => {
    await problem(
      loki('structured_metadata: false', 'structured_metadata_fields: [peer_id]'),
      /ship\.yaml:6: sinks\.s\.structured_metadata_fields: has no effect with structured_metadata: false.*\n {2}hint: remove structured_metadata_fields/,
    );
    const off = await run([], {
      WIRETY_SHIP_LOKI_URL: 'http://loki:3100',
      WIRETY_SHIP_LOKI_STRUCTURED_METADATA: 'false',
    });
    assert.ok(
      off.sinks[0]?.type === 'loki' && !off.sinks[0].structured_metadata,
      'the default fields do not count',
    );
  });

  it('input metadata: pod refused as a Loki label with a pointer to metadata_structured; defaults accepted', async () => {
    await problem(
      loki('metadata_labels: [namespace, pod]'),
      /ship\.yaml:\d+: sinks\.s\.metadata_labels: `pod` is high-cardinality \(one value per pod: every rollout makes new streams\): Loki would create a stream per value\. Put it in metadata_structured instead\./,
    );
    await problem(
      loki('metadata_labels: [namespce]'),
      /sinks\.s\.metadata_labels: "namespce" is not an input metadata name/,
    );
    await problem(
      loki('structured_metadata: false', 'metadata_structured: [pod]'),
      /sinks\.s\.metadata_structured: has no effect with structured_metadata: false/,
    );
    const config = await runFile(loki('structured_metadata: false'));
    const s = config.sinks[0];
    assert.ok(s?.type === 'loki');
    assert.deepEqual(s.metadata_labels, ['namespace', 'container', 'container_name']);
    assert.deepEqual(
      s.metadata_structured,
      ['pod', 'pod_uid', 'node', 'container_id', 'tag'],
      'the default list does not count',
    );
  });

  it('input metadata: HEC metadata_fields must be metadata names, not also in indexed_fields', async () => {
    await problem(
      splunk('token: t', 'metadata_fields: [namespace, podd]'),
      /sinks\.s\.metadata_fields\[1\]: "podd" is not an input metadata name\n {2}hint: known: namespace, pod, pod_uid, container, node, container_name, container_id, tag/,
    );
    await problem(
      splunk('token: t', 'indexed_fields: [action, namespace]', 'metadata_fields: [namespace]'),
      /sinks\.s\.metadata_fields\[0\]: "namespace" is also in indexed_fields/,
    );
    const config = await runFile(splunk('token: t'));
    assert.ok(config.sinks[0]?.type === 'splunk_hec');
    assert.equal(config.sinks[0].metadata_fields.length, 8);
  });

  it('Elasticsearch data_stream rules out op index and an explicit index', async () => {
    await problem(
      es('data_stream: logs-wirety-default', 'op: index'),
      /sinks\.s\.op: must be create with a data_stream/,
    );
    await problem(
      es('data_stream: logs-wirety-default', 'index: other'),
      /sinks\.s\.index: cannot be used together with data_stream/,
    );
  });

  it('Elasticsearch index names must be valid', async () => {
    await problem(es('index: Wirety-%Y'), /sinks\.s\.index: index name "Wirety-%Y" must be lowercase/);
    await problem(es('data_stream: logs-%Y'), /sinks\.s\.data_stream: a data stream name has no date parts/);
  });

  it('Splunk ack polling must be shorter than its timeout', async () => {
    await problem(
      splunk('token: t', 'ack: { enabled: true, poll_interval: 10s, timeout: 5s }'),
      /sinks\.s\.ack\.poll_interval: must be shorter than ack\.timeout/,
    );
  });

  it('Splunk ack.required needs ack.enabled', async () => {
    await problem(
      splunk('token: t', 'ack: { required: true }'),
      /sinks\.s\.ack\.required: needs ack\.enabled: true/,
    );
    const config = await runFile(splunk('token: t', 'ack: { enabled: true, required: true }'));
    assert.equal(sink(config, 's', 'splunk_hec').ack.required, true);
  });

  it('retry backoff must not start above its cap', async () => {
    await problem(
      loki('retry: { initial_backoff: 10m }'),
      /sinks\.s\.retry\.initial_backoff: is longer than retry\.max_backoff/,
    );
  });

  it('timeouts must be positive; a number without a unit is refused with the likely unit', async () => {
    await problem(loki('timeout: 0'), /sinks\.s\.timeout: must be at least 1ms/);
    await problem(loki('timeout: 30'), /sinks\.s\.timeout: 30 has no unit: did you mean 30s\?/);
  });
});

describe('whole-config rules', () => {
  it('a stdout sink and passthrough both want stdout', async () => {
    await problem(
      'input: { passthrough: true }\nsinks:\n  out: { type: stdout }\n',
      /ship\.yaml:3: sinks\.out: a stdout sink cannot be used with input\.passthrough/,
    );
    const error = await fails(['--stdout', '--passthrough']);
    assert.match(
      error.message,
      /command line \(--stdout\): sinks\.stdout: a stdout sink cannot be used with input\.passthrough/,
    );
  });

  it('only one stdout sink', async () => {
    await problem(
      'sinks:\n  a: { type: stdout }\n  b: { type: stdout }\n',
      /sinks\.b: is a second stdout sink/,
    );
  });

  it('journal segments fit the journal and a whole line', async () => {
    await problem(
      'buffer: { type: disk, max_bytes: 10MiB, segment_bytes: 20MiB }\n',
      /buffer\.segment_bytes: \(20MiB\) is larger than buffer\.max_bytes \(10MiB\)/,
    );
    await problem(
      'input: { max_line_bytes: 1MiB }\nbuffer: { type: disk, segment_bytes: 1MiB }\n',
      /buffer\.segment_bytes: \(1MiB\) must be larger than input\.max_line_bytes/,
    );
  });

  it('metrics address must be host:port', async () => {
    const error = await fails(['--metrics-addr', '9431']);
    assert.match(error.message, /command line \(--metrics-addr\): metrics\.address: must be host:port/);
    assert.match((await fails(['--metrics-addr', 'localhost:99999'])).message, /port above 65535/);
    const config = await run(['--metrics-addr', '[::1]:9431']);
    assert.equal(config.metrics.address, '[::1]:9431');
  });
});
