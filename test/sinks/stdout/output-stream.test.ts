/**
 * stdout as the stdout sink and --passthrough write to it: a write waits for the stream to take the
 * bytes, a failed stream is a value (never an unhandled 'error'), and an abort ends any wait, so a
 * reader that never reads cannot hold a shutdown. The real pipe is exercised end to end in
 * test/e2e/stdout-pipe.test.ts and test/e2e/shutdown.test.ts.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createStdoutCodec, createStdoutTransport } from '../../../src/sinks/stdout/index.js';
import { createOutputStream, type OutputFailure } from '../../../src/sinks/stdout/output-stream.js';
import { makeRecords } from '../../helpers/records.js';

/** A Writable whose reader we play: each write waits until `take()` or `fail(code)`. */
function heldStream() {
  const callbacks: ((error?: Error | null) => void)[] = [];
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callbacks.push(callback);
    },
  });
  return {
    stream,
    chunks,
    take: () => callbacks.shift()?.(),
    fail: (code: string) => callbacks.shift()?.(Object.assign(new Error(`write ${code}`), { code })),
  };
}

/** 'pending' while the promise has not settled after the current macrotask queue ran. */
async function state<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

const never = () => new AbortController().signal;

describe('stdout output stream', () => {
  it('a write resolves only once the stream took the bytes, in order', async () => {
    const held = heldStream();
    const out = createOutputStream(held.stream);
    const first = out.write(Buffer.from('a\n'), never());
    assert.equal(await state(first), 'pending', 'the reader has not taken it yet');
    held.take();
    assert.equal(await first, 'written');
    const second = out.write(Buffer.from('b\n'), never());
    held.take();
    assert.equal(await second, 'written');
    assert.equal(Buffer.concat(held.chunks).toString(), 'a\nb\n');
  });

  it('a reader that never reads: the write ends when the signal aborts', async () => {
    const held = heldStream();
    const out = createOutputStream(held.stream);
    const stop = new AbortController();
    const write = out.write(Buffer.from('x'.repeat(100)), stop.signal);
    assert.equal(await state(write), 'pending');
    stop.abort(new Error('shutdown_timeout'));
    assert.equal(await write, 'aborted');
    assert.equal(await out.write(Buffer.from('y'), stop.signal), 'aborted', 'already aborted: at once');
    assert.equal(out.failure, undefined, 'an abort is not a failure of stdout');
  });

  it('a closed pipe (EPIPE) is reported once, as the reader’s choice, and ends every write', async () => {
    const held = heldStream();
    const out = createOutputStream(held.stream);
    const seen: OutputFailure[] = [];
    out.onFailure((f) => seen.push(f));
    const first = out.write(Buffer.from('a\n'), never());
    const queued = out.write(Buffer.from('b\n'), never());
    held.fail('EPIPE'); // the stream emits 'error': unhandled, it would crash this test
    assert.equal(await first, 'closed');
    assert.equal(await queued, 'closed');
    assert.equal(await out.write(Buffer.from('c\n'), never()), 'closed', 'later writes: at once');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.code, 'EPIPE');
    assert.equal(seen[0]?.byReader, true);
    assert.equal(out.failure?.code, 'EPIPE');
  });

  it('any other write error (ENOSPC on a file, EIO on a vanished terminal) is a failure, not the reader', async () => {
    const held = heldStream();
    const out = createOutputStream(held.stream);
    const write = out.write(Buffer.from('a\n'), never());
    held.fail('ENOSPC');
    assert.equal(await write, 'closed');
    assert.deepEqual(out.failure && { code: out.failure.code, byReader: out.failure.byReader }, {
      code: 'ENOSPC',
      byReader: false,
    });
  });

  it('a stream destroyed without an error counts as closed', async () => {
    const held = heldStream();
    const out = createOutputStream(held.stream);
    held.stream.destroy();
    assert.equal(await out.write(Buffer.from('a\n'), never()), 'closed');
    assert.equal(out.failure?.byReader, false);
  });
});

describe('stdout transport', () => {
  const records = makeRecords(2);
  const codec = createStdoutCodec();
  const request = codec.encode(records);

  it('writes the lines unchanged and counts them delivered once stdout took them', async () => {
    const held = heldStream();
    const transport = createStdoutTransport(createOutputStream(held.stream));
    const reply = transport.send(request, never());
    held.take();
    const outcome = codec.classify(await reply, records);
    assert.deepEqual(outcome, { kind: 'delivered' });
    assert.equal(Buffer.concat(held.chunks).toString(), records.map((r) => r.line + '\n').join(''));
  });

  it('rejects with the abort reason while the reader does not read, like the HTTP transports', async () => {
    const transport = createStdoutTransport(createOutputStream(heldStream().stream));
    const stop = new AbortController();
    const reply = transport.send(request, stop.signal);
    const reason = new Error('shutdown_timeout');
    stop.abort(reason);
    await assert.rejects(reply, (error) => error === reason);
  });

  it('a closed stdout is never a silent success', async () => {
    const held = heldStream();
    const transport = createStdoutTransport(createOutputStream(held.stream));
    const reply = transport.send(request, never());
    held.fail('EPIPE');
    const r = await reply;
    assert.equal(r.kind, 'network_error');
    assert.equal(r.kind === 'network_error' && r.code, 'EPIPE');
    assert.equal(codec.classify(r, records).kind, 'retry');
  });
});
