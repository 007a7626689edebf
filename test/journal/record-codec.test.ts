import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFrame,
  decodeFrame,
  encodeBatch,
  encodedSize,
  recordOverhead,
} from '../../src/journal/disk/record-codec.js';
import { accepted } from './helpers.js';

void describe('journal record codec', () => {
  void it('round-trips seq, time, source, a chosen id and the exact line bytes', () => {
    const [server, agent] = accepted(2);
    const unicode = { ...server!, line: server!.line.replace('alice', 'zoë 🚀'), id: 'src-ïd-1' };
    const events = [{ ...unicode, bytes: Buffer.byteLength(unicode.line) }, agent!];
    const seq = 2 ** 40 + 7; // beyond 32 bits
    const { buffer, ends } = encodeBatch(events, seq);
    assert.equal(
      ends.at(-1),
      events.reduce((n, e) => n + encodedSize(e), 0),
    );
    const first = checkFrame(buffer, 0, ends.at(-1)!);
    assert.deepEqual(first, { kind: 'ok', size: ends[0] });
    const a = decodeFrame(buffer, 0, ends[0]!, 'J-');
    assert.equal(a.seq, seq);
    assert.equal(a.id, 'src-ïd-1');
    assert.equal(a.line, events[0]!.line);
    assert.equal(a.bytes, events[0]!.bytes);
    assert.equal(a.source, 'server');
    assert.equal(a.receivedAtMs, events[0]!.receivedAtMs);
    const b = decodeFrame(buffer, ends[0]!, ends[1]! - ends[0]!, 'J-');
    assert.equal(b.id, `J-${seq + 1}`);
    assert.equal(b.source, 'agent');
    assert.deepEqual(b.event, agent!.event);
    assert.equal(encodedSize(agent!), recordOverhead + agent!.bytes);
  });

  void it('asks for more bytes on a short buffer and rejects a flipped bit or an absurd length', () => {
    const encoded = encodeBatch(accepted(1), 1);
    const buffer = encoded.buffer.subarray(0, encoded.ends[0]);
    assert.deepEqual(checkFrame(buffer, 0, 5), { kind: 'need', size: 8 });
    assert.deepEqual(checkFrame(buffer, 0, 20), { kind: 'need', size: buffer.length });
    for (const at of [8, 30, buffer.length - 1]) {
      const copy = Buffer.from(buffer);
      copy[at]! ^= 1;
      assert.equal(checkFrame(copy, 0, copy.length).kind, 'corrupt', `flip at ${at}`);
    }
    const zeros = Buffer.alloc(64);
    assert.equal(checkFrame(zeros, 0, 64).kind, 'corrupt', 'a zero-filled tail is not a record');
    const huge = Buffer.from(buffer);
    huge.writeUInt32LE(0xfffffff0, 0);
    assert.equal(checkFrame(huge, 0, huge.length).kind, 'corrupt');
  });

  void it('refuses an event whose bytes is not the UTF-8 length of its line (a caller bug)', () => {
    const [e] = accepted(1);
    assert.throws(() => encodeBatch([{ ...e!, bytes: e!.bytes - 1 }], 1), RangeError);
    assert.throws(() => encodeBatch([{ ...e!, bytes: e!.bytes + 1 }], 1), RangeError);
  });
});
