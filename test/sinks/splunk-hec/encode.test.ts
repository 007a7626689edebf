import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SplunkHecSinkConfig } from '../../../src/config/types.js';
import { plainDecimal } from '../../../src/sinks/splunk-hec/decimal.js';
import { createHecEncoder, envelopeOverheadBytes } from '../../../src/sinks/splunk-hec/encode.js';
import { createSplunkHecCodec } from '../../../src/sinks/splunk-hec/index.js';
import { makeRecord, makeRecords, serverLine } from '../../helpers/records.js';

const CHANNEL = '6f1c1a52-5a43-4e38-9d5e-2b2b0f1f7a11';

const base = {
  host: 'ship-1',
  source: 'wirety',
  sourcetype: 'wirety:audit',
  indexed_fields: [] as string[],
  metadata_fields: [] as string[],
};

function hecConfig(overrides: Partial<SplunkHecSinkConfig> = {}): SplunkHecSinkConfig {
  return {
    type: 'splunk_hec',
    name: 'splunk',
    url: 'http://127.0.0.1:8088',
    timeout_ms: 10_000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 500, max_bytes: 1 << 20, max_wait_ms: 1000 },
    retry: {
      initial_backoff_ms: 100,
      max_backoff_ms: 30_000,
      max_retry_after_ms: 60_000,
      max_network_backoff_ms: 30_000,
    },
    max_in_flight: 1,
    ...base,
    ack: { enabled: false, poll_interval_ms: 10_000, timeout_ms: 300_000, required: false },
    ...overrides,
  };
}

void describe('HEC envelope encoding', () => {
  void it('renders the exact envelope: decimal time, metadata, the line spliced verbatim, string fields', () => {
    const record = makeRecord(7, serverLine, { id: 'stdin:7' });
    const text = createHecEncoder({ ...base, indexed_fields: ['action', 'network_id'] }).envelope(record);
    assert.equal(
      text,
      '{"time":1748000000,"host":"ship-1","source":"wirety","sourcetype":"wirety:audit","event":' +
        serverLine +
        ',"fields":{"event_id":"stdin:7","seq":"7","action":"peer.create","network_id":"net-abc123"}}',
    );
    const parsed = JSON.parse(text) as { event: unknown };
    assert.deepEqual(parsed.event, JSON.parse(serverLine));
  });

  void it('builds the event request: path, content type, no separator between envelopes', () => {
    const records = makeRecords(3);
    const encoder = createHecEncoder(base);
    const request = encoder.encode(records);
    assert.equal(request.path, '/services/collector/event');
    assert.deepEqual(request.headers, { 'content-type': 'application/json' });
    assert.equal(
      Buffer.from(request.body).toString('utf8'),
      records.map((r) => encoder.envelope(r)).join(''),
    );
    assert.match(Buffer.from(request.body).toString('utf8'), /\}\}\{"time":/);
  });

  void it('adds the channel header only when a channel is given', () => {
    const request = createHecEncoder(base, '6f1c1a52-5a43-4e38-9d5e-2b2b0f1f7a11').encode(makeRecords(1));
    assert.deepEqual(request.headers, {
      'content-type': 'application/json',
      'x-splunk-request-channel': '6f1c1a52-5a43-4e38-9d5e-2b2b0f1f7a11',
    });
  });

  void it('sets index only when configured, and defaults an empty sourcetype to wirety:audit', () => {
    const [record] = makeRecords(1);
    const without = JSON.parse(createHecEncoder(base).envelope(record!)) as Record<string, unknown>;
    assert.equal('index' in without, false);
    const withIndex = JSON.parse(
      createHecEncoder({ ...base, index: 'audit', sourcetype: '' }).envelope(record!),
    ) as Record<string, unknown>;
    assert.equal(withIndex.index, 'audit');
    assert.equal(withIndex.sourcetype, 'wirety:audit');
  });

  void it('never writes time in exponent notation, for large or tiny values', () => {
    const cases: [number, string][] = [
      [1748000000, '1748000000'],
      [1748000000.5, '1748000000.5'],
      [1748000000.123, '1748000000.123'],
      [1e21, '1000000000000000000000'],
      [1.5e22, '15000000000000000000000'],
      [1e-7, '0.0000001'],
      [1.25e-7, '0.000000125'],
      [-2.5e-8, '-0.000000025'],
      [0, '0'],
    ];
    const encoder = createHecEncoder(base);
    for (const [time, expected] of cases) {
      const line = JSON.stringify({ ...(JSON.parse(serverLine) as object), time });
      const text = encoder.envelope(makeRecord(1, line));
      assert.ok(text.startsWith(`{"time":${expected},"host"`), `${time} → ${text.slice(0, 40)}`);
      assert.equal((JSON.parse(text) as { time: number }).time, time);
    }
    assert.equal(plainDecimal(Number.NaN), undefined);
  });

  void it('falls back to the read time when the event has no numeric time', () => {
    const line = '{"level":"info","log_type":"audit","action":"auth.login","message":"audit"}';
    const text = createHecEncoder(base).envelope(makeRecord(3, line, { receivedAtMs: 1_748_000_000_250 }));
    assert.ok(text.startsWith('{"time":1748000000.25,'));
  });

  void it('turns indexed field values into strings and leaves out absent and null ones', () => {
    const line =
      '{"level":"info","log_type":"audit","time":1748003700,"action":"tunnel.disconnected","session_duration":3600000000000,' +
      '"ok":true,"gone":null,"ratio":2.5e-7,"tags":["a","b"],"message":"audit"}';
    const text = createHecEncoder({
      ...base,
      indexed_fields: ['session_duration', 'ok', 'gone', 'missing', 'ratio', 'tags', 'seq'],
    }).envelope(makeRecord(9, line));
    const fields = (JSON.parse(text) as { fields: Record<string, unknown> }).fields;
    assert.deepEqual(fields, {
      event_id: 'test-9',
      seq: '9',
      session_duration: '3600000000000',
      ok: 'true',
      ratio: '0.00000025',
      tags: '["a","b"]',
    });
  });

  void it('keeps a line containing }{ and non-ASCII text intact', () => {
    const line =
      '{"level":"info","log_type":"audit","time":1748000000,"action":"peer.update","peer_name":"x}{\\"y","note":"café ☕","message":"audit"}';
    const body = Buffer.from(createHecEncoder(base).encode([makeRecord(1, line)]).body).toString('utf8');
    assert.ok(body.includes(',"event":' + line + ',"fields"'));
  });

  void it('bounds the envelope overhead: every envelope fits line + indexed values + the estimate', () => {
    const config = { ...base, index: 'audit', indexed_fields: ['action', 'network_id'] };
    const overhead = envelopeOverheadBytes(config);
    const encoder = createHecEncoder(config);
    for (const record of makeRecords(20, 1_000_000_000_000)) {
      const valueBytes = Buffer.byteLength(
        JSON.stringify(record.event.action) + JSON.stringify(record.event.network_id),
      );
      const size = Buffer.byteLength(encoder.envelope(record));
      assert.ok(
        size <= record.bytes + valueBytes + overhead,
        `${size} > ${record.bytes} + ${valueBytes} + ${overhead}`,
      );
    }
    assert.ok(envelopeOverheadBytes(config) > envelopeOverheadBytes(base));
  });

  void it('codec: kind splunk_hec, and its channel on every request, with ack on or off', () => {
    for (const enabled of [false, true]) {
      const codec = createSplunkHecCodec(
        hecConfig({ ack: { enabled, poll_interval_ms: 10, timeout_ms: 100, required: false } }),
        { channel: CHANNEL },
      );
      assert.equal(codec.kind, 'splunk_hec');
      assert.equal(codec.encode(makeRecords(1)).headers['x-splunk-request-channel'], CHANNEL);
    }
  });

  void it('codec: the same records always encode to the same bytes', () => {
    const codec = createSplunkHecCodec(hecConfig(), { channel: CHANNEL });
    const records = makeRecords(5);
    assert.deepEqual(Buffer.from(codec.encode(records).body), Buffer.from(codec.encode(records).body));
  });
});
