import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKubeletSimulator } from './kubelet-simulator.js';
import { startInput, tempDir, texts } from './file-input-harness.js';

test('positions never run ahead of settled batches; a restart re-reads unsettled lines with the same ids', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  const include = [join(dir, 'pods/*/*/*.log')];
  for (let n = 0; n < 5; n++) await sim.writeLine(JSON.stringify({ n }));

  // A consumer that never settles (a full journal, then a crash).
  const first = startInput(dir, { include, read_chunk_bytes: 100 }, { settle: false });
  await first.until(() => first.held.length === 1, 'first batch');
  for (let i = 0; i < 5; i++) await first.clock.advance(1000); // the input waits on settled, not on time
  assert.equal(first.held.length, 1, 'no batch is read while the previous one is unsettled');
  assert.deepEqual(await first.positions(), {}, 'nothing committed before settled');
  const firstBatchEnd = first.received.length;
  await first.held[0]!.settled('stored');
  await first.until(() => first.held.length === 2, 'second batch');
  const committed = Object.values(await first.positions());
  assert.equal(committed.length, 1);
  assert.ok(committed[0]!.offset > 0);
  const seenBeforeCrash = first.received.map((l) => ({ id: l.id, text: texts([l])[0] }));
  await first.stop(); // second batch never settled: its lines must come again

  for (let n = 5; n < 8; n++) await sim.writeLine(JSON.stringify({ n }));
  await sim.rotate(); // rotated while we were down: found next to its old path
  await sim.writeLine(JSON.stringify({ n: 8 }));
  const second = startInput(dir, { include });
  await second.until(() => second.received.length === 9 - firstBatchEnd, 'the rest after restart');
  assert.deepEqual(
    texts(second.received),
    Array.from({ length: 9 - firstBatchEnd }, (_, i) => JSON.stringify({ n: i + firstBatchEnd })),
    'no loss: everything after the committed position, including the file renamed while down',
  );
  for (const again of seenBeforeCrash.slice(firstBatchEnd)) {
    const match = second.received.find((l) => texts([l])[0] === again.text);
    assert.equal(match?.id, again.id, `re-read line keeps its id: ${again.text}`);
  }
  await second.stop();
});

test('an unstored batch (shutdown with a full journal) is not committed', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'crio');
  await sim.writeLine('{"n":1}');
  const include = [join(dir, 'pods/*/*/*.log')];
  const h = startInput(dir, { include }, { settle: false });
  await h.until(() => h.held.length === 1, 'batch');
  await h.held[0]!.settled('unstored');
  await h.stop();
  assert.deepEqual(await h.positions(), {});
  const again = startInput(dir, { include });
  await again.until(() => again.received.length === 1, 're-read');
  assert.equal(again.received[0]!.id, h.received[0]!.id);
  await again.stop();
});
