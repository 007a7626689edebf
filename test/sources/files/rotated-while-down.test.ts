/**
 * Rotated copies the input has no position for, found after a restart: renamed while it was
 * stopped (never read), or read before a crash and never saved. The include globs (`*.log`,
 * `*-json.log`) do not match them; the restart must read them, oldest first, before the current file.
 */
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDockerSimulator } from './docker-simulator.js';
import { createKubeletSimulator } from './kubelet-simulator.js';
import { startInput, tempDir, texts, type Received } from './file-input-harness.js';

const numbered = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => JSON.stringify({ n: from + i }));

function assertOncePerLine(received: readonly Received[], expected: readonly string[]): void {
  assert.deepEqual(texts(received), expected, 'every line, once, in order');
  assert.equal(new Set(received.map((l) => l.id)).size, expected.length, 'distinct ids');
}

test('clean stop, two kubelet rotations while stopped: the middle (plain rotated) file is read after the restart', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  const include = [join(dir, 'pods/*/*/*.log')];
  const all = numbered(0, 300);
  for (const line of all.slice(0, 100)) await sim.writeLine(line);
  const first = startInput(dir, { include });
  await first.until(() => first.received.length === 100, 'the first 100 lines');
  await first.stop();

  await sim.rotate(); // 0.log → 0.log.<ts1>
  for (const line of all.slice(100, 200)) await sim.writeLine(line);
  await sim.rotate(); // 0.log.<ts1> gzipped, 0.log → 0.log.<ts2> (plain, never read)

  const second = startInput(dir, { include });
  for (const line of all.slice(200)) await sim.writeLine(line);
  await second.until(() => second.received.length >= 200, 'the other 200 lines');
  await second.ticks(2); // nothing more comes
  assertOncePerLine([...first.received, ...second.received], all);
  await second.stop();
});

test('crash before the first positions save of a new file, rotated while down: its lines come again with the same ids', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'crio');
  const include = [join(dir, 'pods/*/*/*.log')];
  const all = numbered(0, 150);
  for (const line of all.slice(0, 50)) await sim.writeLine(line);
  const first = startInput(dir, { include });
  await first.until(() => first.received.length === 50, 'file A');
  await first.stop();

  // Positions are written at most once per positions_write_interval: here, not again before the kill.
  const second = startInput(dir, { include, positions_write_interval: 3_600_000 });
  await second.ticks(1);
  await sim.rotate(); // A → 0.log.<ts1>, B is the new 0.log
  for (const line of all.slice(50, 100)) await sim.writeLine(line);
  await second.until(() => second.received.length === 50, 'file B read');
  assert.deepEqual(texts(second.received), all.slice(50, 100));
  const positionsPath = join(dir, 'data', 'positions-pods.json');
  const atKill = await fsp.readFile(positionsPath); // what the disk holds at a kill -9 now
  await second.stop();
  await fsp.writeFile(positionsPath, atKill);
  assert.equal(Object.keys(await second.positions()).length, 1, 'only A has a saved position');

  await sim.rotate(); // A gzipped, B → 0.log.<ts2>, C is the new 0.log
  for (const line of all.slice(100)) await sim.writeLine(line);
  const third = startInput(dir, { include });
  await third.until(() => third.received.length >= 100, 'B again, then C');
  await third.ticks(2);
  assert.deepEqual(texts(third.received), all.slice(50), 'B (never saved) from its start, then C');
  assert.deepEqual(
    third.received.slice(0, 50).map((l) => l.id),
    second.received.map((l) => l.id),
    'B re-read with the ids of its first read',
  );
  await third.stop();
});

test('docker: a -json.log.1 with no position after a restart is read (the older, known .2 is not read again)', async () => {
  const dir = await tempDir();
  const sim = createDockerSimulator(join(dir, 'containers'));
  const include = [join(dir, 'containers/*/*-json.log')];
  const all = numbered(0, 30);
  for (const line of all.slice(0, 10)) await sim.writeLine(line);
  const first = startInput(dir, { include });
  await first.until(() => first.received.length === 10, 'the first file');
  await first.stop();

  await sim.rotate(3); // read file → .1
  for (const line of all.slice(10, 20)) await sim.writeLine(line);
  await sim.rotate(3); // read file → .2, unread file → .1
  for (const line of all.slice(20)) await sim.writeLine(line);
  const second = startInput(dir, { include });
  await second.until(() => second.received.length >= 20, '.1, then the current file');
  await second.ticks(2);
  assertOncePerLine([...first.received, ...second.received], all);
  await second.stop();
});

test('rotated copies present at the first start are not read, neither then nor after a restart', async () => {
  const dir = await tempDir();
  const sim = createDockerSimulator(join(dir, 'containers'));
  const include = [join(dir, 'containers/*/*-json.log')];
  for (const line of numbered(0, 5)) await sim.writeLine(line);
  await sim.rotate(3);
  for (const line of numbered(5, 10)) await sim.writeLine(line);
  await sim.rotate(3);
  for (const line of numbered(10, 15)) await sim.writeLine(line);
  const first = startInput(dir, { include });
  await first.until(() => first.received.length >= 5, 'the current file');
  await first.ticks(2);
  assert.deepEqual(texts(first.received), numbered(10, 15), 'only what the globs match');
  await first.stop();
  const second = startInput(dir, { include });
  await sim.writeLine(JSON.stringify({ n: 15 }));
  await second.until(() => second.received.length >= 1, 'the new line');
  await second.ticks(2);
  assert.deepEqual(texts(second.received), numbered(15, 16), 'the old rotated copies stay unread');
  await second.stop();
});

test('while running: a file created and rotated away between two discovery ticks (never opened at its path) is read', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  const include = [join(dir, 'pods/*/*/*.log')];
  const all = numbered(0, 30);
  for (const line of all.slice(0, 10)) await sim.writeLine(line);
  const h = startInput(dir, { include, watch: false });
  await h.until(() => h.received.length === 10, 'the first file');
  // No discovery tick from here to the end of the second rotation: the clock stands still.
  await sim.rotate();
  for (const line of all.slice(10, 20)) await sim.writeLine(line);
  await sim.rotate(); // the first file gzipped, the second → 0.log.<ts2> before any tick saw it
  for (const line of all.slice(20)) await sim.writeLine(line);
  await h.until(() => h.received.length >= 30, 'the second and third files');
  await h.ticks(2);
  assertOncePerLine(h.received, all);
  await h.stop();
});
