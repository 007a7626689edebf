import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKubeletSimulator } from './kubelet-simulator.js';
import { startInput, tempDir, texts } from './file-input-harness.js';

const event = (n: number, pad = 0) => JSON.stringify({ n, msg: 'x'.repeat(pad) });

for (const runtime of ['containerd', 'crio'] as const) {
  test(`${runtime}: every line once, in order, partials joined across a rotation, gzip one rotation later`, async () => {
    const dir = await tempDir();
    const pod = join(dir, 'pods', 'wirety_wirety-server-0_1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    const sim = createKubeletSimulator(pod, runtime);
    const h = startInput(dir, { include: [join(dir, 'pods/*/wirety-server/*.log')], node: 'node-a' });
    const expected: string[] = [];
    const write = async (content: string, stream: 'stdout' | 'stderr' = 'stdout') => {
      await sim.writeLine(content, stream);
      if (stream === 'stdout') expected.push(content);
    };
    for (let n = 0; n < 20; n++) await write(event(n));
    await write(event(20, 40_000)); // several pieces in either runtime
    await write('console noise', 'stderr');
    await h.until(() => h.received.length === expected.length, 'first file');

    // A P run straddles the rotation: pieces at the end of 0.log, the F in the new 0.log.
    const straddling = event(21, 20_000);
    await sim.writeLine(straddling, 'stdout', true);
    await sim.rotate();
    await sim.writeFinal();
    expected.push(straddling);
    for (let n = 22; n < 30; n++) await write(event(n));
    await h.until(() => h.received.length === expected.length, 'after the first rotation');

    await sim.rotate(); // gzips the first rotated file and unlinks it
    for (let n = 30; n < 40; n++) await write(event(n));
    await h.until(() => h.received.length === expected.length, 'after the second rotation');
    assert.ok(existsSync(`${sim.file}.20261201-100001.gz`));
    assert.ok(!existsSync(`${sim.file}.20261201-100001`));

    assert.deepEqual(texts(h.received), expected);
    const ids = h.received.map((l) => l.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    assert.deepEqual(h.received[0]!.metadata, {
      namespace: 'wirety',
      pod: 'wirety-server-0',
      pod_uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      container: 'wirety-server',
      node: 'node-a',
    });
    assert.equal(h.received[0]!.source, `file:${sim.file}`);
    // Nothing is repeated once the rotated files are gone or gzipped.
    await h.ticks(5);
    assert.equal(h.received.length, expected.length);
    await h.stop();
  });
}

test('replicas whose logs start with the same line are different files (the directory is part of the identity)', async () => {
  const dir = await tempDir();
  const replicas = ['a', 'b', 'c'].map((r) =>
    createKubeletSimulator(join(dir, 'pods', `ns_web-${r}_uid-${r}`), 'containerd'),
  );
  for (const sim of replicas) await sim.writeLine('{"banner":"wirety-server starting"}'); // same timestamps too
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')] });
  await h.until(() => h.received.length === 3, 'one line per replica');
  assert.deepEqual(h.received.map((l) => l.metadata?.pod).sort(), ['web-a', 'web-b', 'web-c']);
  assert.equal(new Set(h.received.map((l) => l.id)).size, 3);
  await h.stop();
});

test('an older rotated file is drained before the new one is read (round-robin never interleaves them)', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  await sim.writeLine('{"n":0}');
  // No fs.watch: everything below is written while the input idles, then found on one tick.
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')], read_chunk_bytes: 4096, watch: false });
  await h.until(() => h.received.length === 1, 'first line');
  await h.until(() => h.clock.pending() > 0, 'idle');
  const expected = ['{"n":0}'];
  for (let n = 1; n < 20; n++) {
    await sim.writeLine(JSON.stringify({ n, pad: 'p'.repeat(1000) }));
    expected.push(JSON.stringify({ n, pad: 'p'.repeat(1000) }));
  }
  const straddling = JSON.stringify({ n: 20, pad: 's'.repeat(40_000) });
  await sim.writeLine(straddling, 'stdout', true);
  await sim.rotate();
  await sim.writeFinal();
  expected.push(straddling);
  for (let n = 21; n < 40; n++) {
    await sim.writeLine(JSON.stringify({ n, pad: 'q'.repeat(1000) }));
    expected.push(JSON.stringify({ n, pad: 'q'.repeat(1000) }));
  }
  await h.until(() => h.received.length >= expected.length, 'all lines');
  assert.deepEqual(texts(h.received), expected);
  await h.stop();
});
