/**
 * `--check-config --online` against the HEC test receiver: health (code 17 / 18–20), the empty
 * event post (code 5 "No data" for a good token, 4 for a wrong one) and the token's ack mode
 * against `ack.enabled` / `ack.required`. Every case asserts that nothing was indexed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HecAckMode } from '../../src/sinks/splunk-hec/ack-fallback.js';
import { startHecReceiver, type HecReceiver, type HecReceiverOptions } from '../receivers/hec-receiver.js';
import { hecConfig } from '../sinks/splunk-hec/hec-harness.js';
import { checkOne, finding } from './check-helpers.js';

const TOKEN = '5c1e7a52-hec-check-token';

void describe('online check: Splunk HEC', () => {
  let dir = '';
  let tokenFile = '';
  const receivers: HecReceiver[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wirety-check-hec-'));
    tokenFile = join(dir, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
  });
  after(async () => {
    for (const r of receivers) await r.close();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async (options: HecReceiverOptions = {}) => {
    const receiver = await startHecReceiver({ token: TOKEN, ...options });
    receivers.push(receiver);
    return receiver;
  };
  const check = (hec: HecReceiver, ack: HecAckMode, file = tokenFile) =>
    checkOne(hecConfig(hec.url, file, { ack }));

  void it('all ok: healthy, token accepted, ack on for the token as configured; nothing indexed', async () => {
    const hec = await start({ ack: true });
    const checked = await check(hec, 'on');
    assert.equal(
      checked.line,
      `ok   splunk (${hec.url}): reachable, no TLS (http), healthy, token accepted, ack: on (the token confirms indexing)`,
    );
    const post = hec.requests.find((r) => r.url === '/services/collector/event');
    assert.equal(post?.body.length, 0);
    assert.equal(post.headers.authorization, `Splunk ${TOKEN}`);
    assert.match(String(post.headers['x-splunk-request-channel']), /^[0-9a-f-]{36}$/);
    assert.deepEqual(hec.events, []);
    assert.doesNotMatch(checked.line, new RegExp(TOKEN));
  });

  void it('a wrong token: FAIL naming the token and HEC code 4', async () => {
    const hec = await start({ ack: true });
    const wrong = join(dir, 'wrong-token');
    await writeFile(wrong, 'not-the-token\n');
    const checked = await check(hec, 'on', wrong);
    assert.equal(checked.status, 'fail');
    assert.equal(finding(checked, /token/).text, 'token refused (HEC code 4: Invalid token (HTTP 403))');
    assert.ok(
      !hec.requests.some((r) => r.url === '/services/collector/ack'),
      'no ack probe after a refused token',
    );
    assert.deepEqual(hec.events, []);
  });

  void it("ack configured, but off on the token: a warning that events count on HEC's 200", async () => {
    const hec = await start({ ack: false });
    const checked = await check(hec, 'on');
    assert.equal(checked.status, 'warn', checked.line);
    assert.equal(
      finding(checked, /^ack/).text,
      "ack: configured, but the token has indexer acknowledgement off (HEC code 14: ACK is disabled (HTTP 400)): events will be counted on HEC's 200; enable useACK on the token for end-to-end confirmation",
    );
    assert.deepEqual(hec.events, []);
  });

  void it('ack.required, but off on the token (or the ack endpoint refused): FAIL', async () => {
    const hec = await start({ ack: false });
    const off = await check(hec, 'required');
    assert.equal(off.status, 'fail');
    assert.match(
      finding(off, /^ack/).text,
      /^ack: required, but the token has indexer acknowledgement off .*: the sink would be blocked/,
    );
    const proxied = await start({ ack: true });
    proxied.refusePolls({ status: 404, body: 'Not Found' });
    const refused = await check(proxied, 'required');
    assert.equal(refused.status, 'fail');
    assert.match(
      finding(refused, /^ack/).text,
      /^ack: required, but the ack endpoint refuses polls \(HTTP 404\)/,
    );
  });

  void it('ack off here but on for the token: a note, not a failure', async () => {
    const hec = await start({ ack: true });
    const checked = await check(hec, 'off');
    assert.equal(checked.status, 'ok', checked.line);
    assert.equal(
      finding(checked, /^ack/).text,
      'ack: off here, on for the token (ack.enabled would confirm each batch)',
    );
  });

  void it('an unhealthy HEC (code 18): FAIL with its text', async () => {
    const hec = await start();
    hec.setHealth(18);
    const checked = await check(hec, 'off');
    assert.equal(checked.status, 'fail');
    assert.equal(
      finding(checked, /healthy/).text,
      'unhealthy (HEC code 18: HEC is unhealthy, queues are full (HTTP 503))',
    );
  });

  void it('an unreadable token file: FAIL naming the file, no request sent', async () => {
    const hec = await start();
    const missing = join(dir, 'no-such-token');
    const checked = await check(hec, 'off', missing);
    assert.equal(
      checked.line,
      `FAIL splunk (${hec.url}): cannot start: cannot read token_file ${missing}: ENOENT`,
    );
    assert.deepEqual(hec.requests, []);
  });
});
