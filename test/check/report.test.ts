/**
 * The printed report of `--check-config --online` and its exit code: one line per sink, the worst
 * finding decides its status, warnings pass, any failure exits 69.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SinkVerdict } from '../../src/check/findings.js';
import { checkExitCode, EXIT_CHECK_FAILED, formatReport } from '../../src/check/report.js';
import { checkSinksOnline } from '../../src/check/run-check.js';
import { NOW_MS } from './check-helpers.js';

const ok: SinkVerdict = {
  name: 'loki',
  target: 'http://loki:3100',
  findings: [
    { status: 'ok', text: 'reachable' },
    { status: 'ok', text: 'ready' },
  ],
};
const warned: SinkVerdict = {
  name: 'splunk',
  target: 'https://splunk:8088',
  findings: [
    { status: 'ok', text: 'token accepted' },
    { status: 'warn', text: 'ack: configured, but off' },
  ],
};
const failed: SinkVerdict = {
  name: 'es',
  target: 'https://es:9200',
  findings: [
    { status: 'ok', text: 'reachable' },
    { status: 'fail', text: 'the credentials lack "create_doc"' },
    { status: 'warn', text: 'later warning' },
  ],
};

void describe('online check report', () => {
  void it('one line per sink, labelled by its worst finding; a failure exits 69', () => {
    assert.equal(
      formatReport([ok, warned, failed]),
      [
        '',
        'online check (requests that store nothing):',
        'ok   loki (http://loki:3100): reachable, ready',
        'warn splunk (https://splunk:8088): token accepted, ack: configured, but off',
        'FAIL es (https://es:9200): reachable, the credentials lack "create_doc", later warning',
        'online check: 1 of 3 sinks failed (exit 69)',
        '',
      ].join('\n'),
    );
    assert.equal(EXIT_CHECK_FAILED, 69);
    assert.equal(checkExitCode([ok, warned, failed]), 69);
  });

  void it('warnings pass: exit 0, counted in the last line', () => {
    assert.equal(checkExitCode([ok, warned]), 0);
    assert.match(formatReport([ok, warned]), /\nonline check: 2 sinks passed, 1 with warnings\n$/);
    assert.equal(checkExitCode([]), 0);
    assert.equal(formatReport([]), '\nonline check: no sinks configured, nothing to check\n');
  });

  void it('a stdout sink has nothing to check', async () => {
    const verdicts = await checkSinksOnline(
      [
        {
          type: 'stdout',
          name: 'stdout',
          batch: { max_events: 100, max_bytes: 1 << 20, max_wait_ms: 1000 },
          retry: {
            initial_backoff_ms: 500,
            max_backoff_ms: 300_000,
            max_retry_after_ms: 300_000,
            max_network_backoff_ms: 1000,
          },
          max_in_flight: 1,
        },
      ],
      { nowMs: NOW_MS },
    );
    assert.match(formatReport(verdicts), /\nok {3}stdout: nothing to check\n/);
    assert.equal(checkExitCode(verdicts), 0);
  });
});
