import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { systemClock } from '../src/clock.js';
import { createWaiter, type Subscribe } from '../src/wait.js';
import { createWakeup } from '../src/journal/wakeup.js';
import { createFakeClock } from './helpers/fake-clock.js';

/** A subscription the test wakes by hand, which says whether it is still subscribed. */
function manual(): { subscribe: Subscribe; wake(): void; readonly subscribed: number } {
  const listeners = new Set<() => void>();
  return {
    subscribe(wake) {
      listeners.add(wake);
      return () => listeners.delete(wake);
    },
    wake: () => {
      for (const l of [...listeners]) l();
    },
    get subscribed() {
      return listeners.size;
    },
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

void test('a wake resolves "woken", clears the timer and cancels the subscription', async () => {
  const clock = createFakeClock();
  const waiter = createWaiter(clock, new AbortController().signal);
  const source = manual();
  const waiting = waiter.wait(source.subscribe, 500);
  assert.equal(await clock.nextSleep(), 500);
  source.wake();
  assert.equal(await waiting, 'woken');
  assert.equal(clock.pending(), 0, 'the deadline timer is cleared');
  assert.equal(source.subscribed, 0, 'the subscription is cancelled');
});

void test('the deadline on the clock resolves "timeout" and cancels the subscription', async () => {
  const clock = createFakeClock();
  const waiter = createWaiter(clock);
  const source = manual();
  let outcome: string | undefined;
  void waiter.wait(source.subscribe, 500).then((o) => (outcome = o));
  await clock.advance(499);
  assert.equal(outcome, undefined, 'nothing before the deadline');
  await clock.advance(1);
  assert.equal(outcome, 'timeout');
  assert.equal(source.subscribed, 0);
});

void test('abort resolves "aborted" (no rejection, no AbortError), clears the timer and cancels the subscription', async () => {
  const clock = createFakeClock();
  const controller = new AbortController();
  const waiter = createWaiter(clock, controller.signal);
  const source = manual();
  const waiting = waiter.wait(source.subscribe, 500);
  await clock.nextSleep();
  controller.abort(new Error('stop'));
  assert.equal(await waiting, 'aborted');
  assert.equal(clock.pending(), 0);
  assert.equal(source.subscribed, 0);
  assert.equal(await waiter.wait(source.subscribe, 500), 'aborted', 'after the abort, at once');
  assert.equal(clock.sleeps.length, 1, 'and without starting a timer');
});

void test('a wake during subscribe (the condition already holds) resolves "woken" and leaves nothing behind', async () => {
  const clock = createFakeClock();
  const waiter = createWaiter(clock);
  let cancelled = 0;
  const outcome = await waiter.wait((wake) => {
    wake();
    return () => cancelled++;
  }, 500);
  assert.equal(outcome, 'woken');
  assert.equal(cancelled, 1);
  assert.equal(clock.pending(), 0);
});

void test('one listener on the stop signal for every wait of the waiter, none after dispose', async () => {
  const clock = createFakeClock();
  const signal = new AbortController().signal;
  const waiter = createWaiter(clock, signal);
  const wakeup = createWakeup();
  for (let i = 0; i < 50; i++) {
    const waiting = waiter.wait((wake) => wakeup.subscribe(wake), 1000);
    assert.equal(getEventListeners(signal, 'abort').length, 1);
    wakeup.wakeAll();
    assert.equal(await waiting, 'woken');
  }
  assert.equal(clock.pending(), 0, 'every timer cleared');
  assert.equal(clock.sleeps.length, 50);
  waiter.dispose();
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

void test('dispose ends a pending wait with "aborted"; a second concurrent wait is refused', async () => {
  const clock = createFakeClock();
  const waiter = createWaiter(clock);
  const waiting = waiter.wait(undefined, 1000);
  assert.throws(() => void waiter.wait(undefined, 1), /one wait at a time/);
  await turn();
  waiter.dispose();
  assert.equal(await waiting, 'aborted');
  assert.equal(clock.pending(), 0);
});

void test('systemClock.timer fires once, and a cancelled one never does', async () => {
  const fired: string[] = [];
  const cancel = systemClock.timer(1, () => fired.push('cancelled'));
  cancel();
  await new Promise<void>((resolve) => systemClock.timer(5, resolve));
  assert.deepEqual(fired, [], 'timers fire in deadline order: the 1 ms one would have fired before');
});

void test('Wakeup.subscribe calls the listener at every wakeAll and failAll until cancelled', () => {
  const wakeup = createWakeup();
  let calls = 0;
  const cancel = wakeup.subscribe(() => calls++);
  wakeup.wakeAll();
  wakeup.failAll(new Error('closed'));
  assert.equal(calls, 2);
  cancel();
  wakeup.wakeAll();
  assert.equal(calls, 2);
});
