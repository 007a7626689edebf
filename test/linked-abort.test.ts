import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkedAbort } from '../src/linked-abort.js';

test('aborts with the reason of the first parent that aborts', () => {
  const a = new AbortController();
  const b = new AbortController();
  const link = linkedAbort(a.signal, undefined, b.signal);
  const reason = new Error('stop');
  b.abort(reason);
  a.abort(new Error('later'));
  assert.equal(link.signal.aborted, true);
  assert.equal(link.signal.reason, reason);
});

test('starts aborted when a parent already is', () => {
  const reason = new Error('already');
  const link = linkedAbort(AbortSignal.abort(reason));
  assert.equal(link.signal.reason, reason);
});

test('abort() aborts the child only; dispose() unlinks it from its parents', () => {
  const parent = new AbortController();
  const first = linkedAbort(parent.signal);
  first.abort(new Error('timeout'));
  assert.equal(first.signal.aborted, true);
  assert.equal(parent.signal.aborted, false);

  const second = linkedAbort(parent.signal);
  second.dispose();
  parent.abort(new Error('shutdown'));
  assert.equal(second.signal.aborted, false, 'a disposed link no longer follows its parent');
});
