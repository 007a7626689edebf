/**
 * The metrics and health endpoints of a running pipeline, in the test process on the fake clock
 * (readiness measures auth_failure_unready on the injected clock, so the test moves it instead of
 * waiting): /readyz turns 503 naming a refused sink, /healthz stays 200, the blocked gauge is set,
 * and a stop leaves the refused events in the journal (exit 75). The spawned-CLI side of the
 * endpoints stays in test/e2e/metrics-e2e.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLokiReceiver } from '../receivers/loki-receiver.js';
import { makeCorpus } from '../helpers/e2e-corpus.js';
import { get, scrape, valueOf } from '../helpers/e2e-metrics.js';
import { startPipeline } from '../helpers/pipeline-harness.js';

test('/readyz turns 503 naming the sink once it has been refused (401) for auth_failure_unready; a stop exits 75', async () => {
  const corpus = makeCorpus(50);
  const receiver = await startLokiReceiver();
  receiver.setDefaultReply(() => ({ status: 401, body: 'unauthorized' }));
  const run = await startPipeline({
    configFile: [
      'shutdown_timeout: 1s',
      'metrics: { address: "127.0.0.1:0", auth_failure_unready: 200ms }',
      'sinks:',
      '  audit-loki:',
      '    type: loki',
      `    url: ${receiver.url}`,
      '    batch: { max_wait: 50ms }',
      '',
    ].join('\n'),
  });
  try {
    const address = run.pipeline.metricsAddress!;
    const first = await get(address, '/readyz');
    assert.equal(first.status, 200, `ready before any refusal: ${first.body}`);

    run.write(corpus.input);
    await run.advanceUntil(() => /receiver refuses this sink/.test(run.stderr()), 'the refusal was logged');
    const refusedAt = run.clock.now();
    assert.equal((await get(address, '/readyz')).status, 200, 'still ready: refused for less than 200 ms');
    await run.advanceUntil(() => run.clock.now() - refusedAt >= 200, '200 ms passed');
    const unready = await get(address, '/readyz');
    assert.equal(unready.status, 503, unready.body);
    const body = JSON.parse(unready.body) as { ready: boolean; reasons: string[] };
    assert.equal(body.ready, false);
    assert.ok(
      body.reasons.some((r) => r.includes('audit-loki') && /401/.test(r)),
      `a reason names the sink and the refusal: ${unready.body}`,
    );
    const { samples } = await scrape(address);
    assert.equal(valueOf(samples, 'wirety_ship_sink_blocked', { sink: 'audit-loki' }), 1);
    assert.equal(valueOf(samples, 'wirety_ship_sink_delivered_total', { sink: 'audit-loki' }), 0);
    assert.equal((await get(address, '/healthz')).status, 200, 'alive even though not ready');

    run.pipeline.stop('SIGTERM');
    const r = await run.finish();
    assert.equal(r.exitCode, 75, r.stderr);
    assert.equal(r.summary.journaled, corpus.counts.valid);
    assert.equal(r.summary.sinks['audit-loki']?.delivered, 0);
    assert.equal(r.summary.sinks['audit-loki']?.rejected, 0, 'a 401 never dead-letters events');
    assert.equal(r.summary.sinks['audit-loki']?.pending, corpus.counts.valid, 'the events are kept');
    assert.match(r.stderr, /they stay in the journal/);
  } finally {
    await run.close();
    await receiver.close();
  }
});
