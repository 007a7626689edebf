import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDockerSimulator } from './docker-simulator.js';
import { startInput, tempDir, texts } from './file-input-harness.js';

for (const maxFile of [2, 1]) {
  test(`docker json-file, max-file=${maxFile}: HTML escapes undone, 16 KiB partials joined, rotation followed`, async () => {
    const dir = await tempDir();
    const sim = createDockerSimulator(join(dir, 'containers'));
    const h = startInput(dir, { include: [join(dir, 'containers/*/*-json.log')], format: 'auto' });
    const expected: string[] = [];
    const write = async (content: string, stream: 'stdout' | 'stderr' = 'stdout') => {
      await sim.writeLine(content, stream);
      if (stream === 'stdout') expected.push(content);
    };
    await write('{"action":"<create> & \\"go\\""}');
    await write(JSON.stringify({ big: 'y'.repeat(40_000) }));
    await write('stderr noise', 'stderr');
    await h.until(() => h.received.length === expected.length, 'before rotation');
    await write('{"n":"last before rotation"}');
    await sim.rotate(maxFile);
    await write('{"n":"first after rotation"}');
    await h.until(() => h.received.length === expected.length, 'after rotation');
    assert.deepEqual(texts(h.received), expected);
    assert.equal(new Set(h.received.map((l) => l.id)).size, expected.length);
    await h.stop();
  });
}
