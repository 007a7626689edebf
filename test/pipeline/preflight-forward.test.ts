/**
 * A Forward input whose TCP port is taken is refused before anything is created (exit 74, and
 * --check-config says the same), naming the input's key; a free port passes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { preflight } from '../../src/pipeline/preflight.js';
import { run } from '../config/helpers.js';

test('a taken Forward port is a startup problem at inputs.<name>.address', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ws-preflight-forward-'));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const args = ['--buffer', 'memory', '--dead-letter', join(dir, 'dead.ndjson')];
    const taken = await run([...args, '--forward', `127.0.0.1:${port}`]);
    const problems = await preflight(taken);
    assert.deepEqual(
      problems.map((p) => [p.key, p.message]),
      [['inputs.forward.address', `127.0.0.1:${port} is in use by another process`]],
    );
    assert.deepEqual(await preflight(await run([...args, '--forward', '127.0.0.1:0'])), []);
  } finally {
    blocker.close();
    await rm(dir, { recursive: true, force: true });
  }
});
