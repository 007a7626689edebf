import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSerialQueue } from '../src/serial-queue.js';

test('tasks run one at a time, in call order, and a failure does not stop the queue', async () => {
  const queue = createSerialQueue();
  const order: string[] = [];
  let release!: () => void;
  const first = queue.run(async () => {
    order.push('first starts');
    await new Promise<void>((resolve) => (release = resolve));
    order.push('first ends');
  });
  const second = queue.run(() => {
    order.push('second');
    throw new Error('second fails');
  });
  const third = queue.run(() => 3);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['first starts'], 'the second waits for the first');
  release();
  await first;
  await assert.rejects(second, /second fails/);
  assert.equal(await third, 3);
  await queue.idle();
  assert.deepEqual(order, ['first starts', 'first ends', 'second']);
});
