/**
 * config.inputs → running inputs: a Forward listener is bound before ingest (its real port logged,
 * a taken port fails the start and leaves nothing listening), a Forward input on a memory buffer
 * is warned about, a file input's positions live under the data directory, and the shared key
 * never reaches the log.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import { createInputs, positionsPath } from '../../src/pipeline/create-inputs.js';
import { run } from '../config/helpers.js';

const deps = () => ({
  stdin: (async function* () {})(),
  stats: createStats(),
  clock: systemClock,
  logger: createMemoryLogger(),
});

test('a Forward input is listening once created, its port logged; memory buffer warned; key not logged', async () => {
  const config = await run(['--forward', '127.0.0.1:0'], { WIRETY_SHIP_FORWARD_SHARED_KEY: 'k3y-value' });
  assert.equal(config.buffer.type, 'memory');
  const d = deps();
  const [forward] = await createInputs(config, d);
  try {
    const listening = d.logger.entries.find((e) => e.message === 'forward input listening');
    const port = Number(/:(\d+)$/.exec(String(listening?.fields?.address))?.[1]);
    assert.ok(port > 0);
    assert.equal(listening?.fields?.shared_key, true);
    assert.ok(d.logger.entries.some((e) => e.level === 'warn' && /not|crash/.test(e.message)));
    assert.doesNotMatch(JSON.stringify(d.logger.entries), /k3y-value/);
    assert.ok(d.stats.inputs.get('forward')?.forward, 'its counters are in stats.inputs');
    await new Promise<void>((resolve, reject) => {
      const probe = createServer().once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') resolve();
        else reject(error);
      });
      probe.listen(port, '127.0.0.1', () => probe.close(() => reject(new Error('the port was free'))));
    });
  } finally {
    await forward?.input.close();
  }
});

test('a taken port fails the start, and the inputs created before it are closed', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const free = await run(['--forward', '127.0.0.1:0']);
    const config = {
      ...free,
      inputs: [
        { ...free.inputs[0]!, name: 'first' },
        { ...free.inputs[0]!, name: 'second', address: `127.0.0.1:${port}` },
      ],
    } as typeof free;
    const d = deps();
    await assert.rejects(
      createInputs(config, d),
      (error: NodeJS.ErrnoException) => error.code === 'EADDRINUSE',
    );
    const first = d.logger.entries.find(
      (e) => e.fields?.input === 'first' && e.message === 'forward input listening',
    );
    const firstPort = Number(/:(\d+)$/.exec(String(first?.fields?.address))?.[1]);
    // The first listener was closed: its port can be bound again.
    await new Promise<void>((resolve, reject) => {
      const again = createServer().once('error', reject);
      again.listen(firstPort, '127.0.0.1', () => again.close(() => resolve()));
    });
  } finally {
    blocker.close();
  }
});

test('a file input keeps its positions in <data_dir>/positions/<name>.json', async () => {
  const config = await run(['--file', '/nowhere/*.log', '--buffer', 'disk', '--data-dir', '/var/lib/ws']);
  assert.equal(positionsPath(config, 'file'), '/var/lib/ws/positions/file.json');
  const d = deps();
  const [file] = await createInputs(config, d);
  assert.equal(file?.input.name, 'file');
  assert.equal(file?.input.redelivers, true);
  assert.equal(d.stats.inputs.get('file')?.openFiles?.(), 0);
  await file?.input.close();
});
