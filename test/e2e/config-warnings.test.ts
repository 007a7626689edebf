/**
 * Configuration warnings through the real process: `--check-config` prints them on stderr and
 * still exits 0 (the summary stays alone on stdout); a run logs them at warn level and ships.
 * Secrets in the warned-about variables never appear.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-warn-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { WIRETY_SHIP_ES_API_KEY: 'c2VjcmV0OmtleQ==' };
const event =
  '{"level":"info","log_type":"audit","time":1748000000,"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"peer.create","network_id":"net-1","peer_id":"peer-1","peer_name":"laptop","message":"audit"}\n';

test('--check-config: warnings on stderr, exit 0, nothing secret', async () => {
  const r = await runCli(['--check-config', '--stdout', '--buffer', 'memory'], '', { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^wirety-ship: warning: environment variable WIRETY_SHIP_ES_API_KEY: is set, but no Elasticsearch sink is configured, so it is ignored\n {2}hint: /m,
  );
  assert.doesNotMatch(r.stdout.toString(), /warning/);
  assert.doesNotMatch(r.stderr + r.stdout.toString(), /c2VjcmV0/);
});

test('a run logs each warning once at warn level, then ships as usual', async () => {
  const ok = await runCli(['--buffer', 'memory', '--dead-letter', path.join(dir, 'dead.ndjson')], event, {
    cwd: dir,
    env,
  });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.toString(), event);
  const warnings = ok.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string })
    .filter((l) => l.level === 'warn');
  assert.equal(warnings.length, 1, ok.stderr);
  assert.match(
    warnings[0]?.msg ?? '',
    /^configuration: environment variable WIRETY_SHIP_ES_API_KEY: is set, but no Elasticsearch sink/,
  );
  assert.doesNotMatch(ok.stderr, /c2VjcmV0/);
});
