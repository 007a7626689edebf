/**
 * Per-input series in /metrics: lines read by input (adding up to the total), a Forward
 * listener's connections/requests/acks/protocol errors, a file input's open files, read from
 * stats.inputs at scrape time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics } from '../../src/monitor/metrics.js';
import { createStats } from '../../src/observe/stats.js';

test('each input has its own series, read at scrape time', async () => {
  const stats = createStats();
  const forward = { connections: 2, requests: 5, acks: 4, protocol_errors: 1 };
  let open = 3;
  stats.inputs.set('stdin', { type: 'stdin', linesRead: 7 });
  stats.inputs.set('docker', { type: 'forward', linesRead: 40, forward: () => forward });
  stats.inputs.set('pods', { type: 'file', linesRead: 11, openFiles: () => open });
  const metrics = createMetrics({ stats, sinks: [], version: 'test', now: () => 0 });

  const first = await metrics.registry.metrics();
  assert.match(first, /^wirety_ship_input_lines_read_total\{input="stdin",type="stdin"\} 7$/m);
  assert.match(first, /^wirety_ship_input_lines_read_total\{input="docker",type="forward"\} 40$/m);
  assert.match(first, /^wirety_ship_input_lines_read_total\{input="pods",type="file"\} 11$/m);
  assert.match(first, /^wirety_ship_forward_connections_total\{input="docker"\} 2$/m);
  assert.match(first, /^wirety_ship_forward_requests_total\{input="docker"\} 5$/m);
  assert.match(first, /^wirety_ship_forward_acks_total\{input="docker"\} 4$/m);
  assert.match(first, /^wirety_ship_forward_protocol_errors_total\{input="docker"\} 1$/m);
  assert.match(first, /^wirety_ship_file_open_files\{input="pods"\} 3$/m);
  assert.doesNotMatch(first, /wirety_ship_file_open_files\{input="docker"\}/);

  forward.acks = 5;
  open = 0;
  stats.inputs.get('pods')!.linesRead = 12;
  const second = await metrics.registry.metrics();
  assert.match(second, /^wirety_ship_forward_acks_total\{input="docker"\} 5$/m);
  assert.match(second, /^wirety_ship_file_open_files\{input="pods"\} 0$/m);
  assert.match(second, /^wirety_ship_input_lines_read_total\{input="pods",type="file"\} 12$/m);
});
