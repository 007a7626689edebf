/**
 * Input metadata in journal records (flags bit 0 + a length-prefixed JSON block after the id):
 * round trips through the codec and through a real disk journal closed and reopened, leaves
 * records without metadata laid out exactly as before, and a damaged metadata length is a corrupt
 * record, never a crash.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { stampRecord, type AcceptedEvent } from '../../src/audit/record.js';
import {
  checkFrame,
  decodeFrame,
  encodeBatch,
  encodedSize,
  headerBytes,
  recordOverhead,
} from '../../src/journal/disk/record-codec.js';
import { accepted, everything } from './helpers.js';
import { openJournal, removeAll, tempDir } from './journal-fixture.js';

const kubernetes = {
  namespace: 'prod',
  pod: 'wirety-server-7d9f-x2x',
  pod_uid: '0f9e5c1a-1b2c-4d3e-8f90-123456789abc',
  container: 'wirety-server',
  node: 'nodé-1',
};
const docker = { container_name: 'wirety', container_id: '4f2a9c0b1d3e', tag: 'wirety.audit' };

function withMetadata(events: AcceptedEvent[], ...metadata: (Record<string, string> | undefined)[]) {
  return events.map((e, i) => {
    const m = metadata[i % metadata.length];
    return m === undefined ? e : { ...e, metadata: m };
  });
}

/** Rewrites a record's CRC after a test changed its payload, so only the layout checks can object. */
function reseal(buf: Buffer, at = 0): void {
  const length = buf.readUInt32LE(at);
  buf.writeUInt32LE(crc32(buf.subarray(at + headerBytes, at + headerBytes + length)), at + 4);
}

void describe('journal records with input metadata', () => {
  afterEach(removeAll);

  void it('round-trips Kubernetes and Docker metadata beside records without any, ids included', () => {
    const events = withMetadata(accepted(3), kubernetes, docker, undefined);
    const chosen = { ...events[0]!, id: 'file:abc:1234' };
    const batch = [chosen, events[1]!, events[2]!];
    const { buffer, ends } = encodeBatch(batch, 9);
    assert.equal(
      ends.at(-1),
      batch.reduce((n, e) => n + encodedSize(e), 0),
    );
    const metaBytes = Buffer.byteLength(JSON.stringify(kubernetes));
    assert.equal(
      encodedSize(chosen),
      recordOverhead + Buffer.byteLength('file:abc:1234') + 2 + metaBytes + chosen.bytes,
    );
    let at = 0;
    const decoded = ends.map((end) => {
      const check = checkFrame(buffer, at, end - at);
      assert.deepEqual(check, { kind: 'ok', size: end - at });
      const record = decodeFrame(buffer, at, end - at, 'J-');
      at = end;
      return record;
    });
    assert.deepEqual(decoded[0]!.metadata, kubernetes);
    assert.equal(decoded[0]!.id, 'file:abc:1234');
    assert.equal(decoded[0]!.line, chosen.line);
    assert.equal(decoded[0]!.bytes, chosen.bytes);
    assert.deepEqual(decoded[1]!.metadata, docker);
    assert.equal(decoded[1]!.id, 'J-10');
    assert.equal(decoded[1]!.line, events[1]!.line);
    assert.equal('metadata' in decoded[2]!, false, 'a record without metadata gets no metadata key');
    assert.deepEqual(decoded[2]!.event, events[2]!.event);
  });

  void it('is copied by stampRecord (disk writer and memory log) only when present', () => {
    const [plain] = accepted(1);
    assert.deepEqual(stampRecord({ ...plain!, metadata: docker }, 3, 'J-').metadata, docker);
    assert.equal('metadata' in stampRecord(plain!, 3, 'J-'), false);
  });

  void it('lays out a record without metadata exactly as before metadata existed (flags 0)', () => {
    const [plain] = accepted(1);
    const { buffer, ends } = encodeBatch([plain!], 1);
    assert.equal(ends[0], recordOverhead + plain!.bytes);
    assert.equal(buffer[headerBytes + 17], 0, 'flags byte');
    // The old layout: the line starts right after the 20 fixed payload bytes.
    assert.equal(buffer.toString('utf8', recordOverhead, ends[0]), plain!.line);
  });

  void it('reads a record written by the old layout (hand-built, flags 0) without metadata', () => {
    const [plain] = accepted(1);
    const line = Buffer.from(plain!.line);
    const record = Buffer.alloc(recordOverhead + line.length);
    record.writeUInt32LE(20 + line.length, 0);
    record.writeUInt32LE(7, 8);
    record.writeDoubleLE(plain!.receivedAtMs, 16);
    line.copy(record, recordOverhead);
    reseal(record);
    assert.equal(checkFrame(record, 0, record.length).kind, 'ok');
    const decoded = decodeFrame(record, 0, record.length, 'J-');
    assert.equal(decoded.line, plain!.line);
    assert.equal(decoded.id, 'J-7');
    assert.equal(decoded.metadata, undefined);
  });

  void it('refuses a metadata length past the record, unknown flags and bad metadata as corrupt, never throws', () => {
    const [e] = withMetadata(accepted(1), kubernetes);
    const { buffer, ends } = encodeBatch([e!], 1);
    const good = Buffer.from(buffer.subarray(0, ends[0]));
    const metaAt = recordOverhead; // no chosen id: the metadata length follows the fixed payload

    const tooLong = Buffer.from(good);
    tooLong.writeUInt16LE(0xffff, metaAt);
    reseal(tooLong);
    assert.deepEqual(checkFrame(tooLong, 0, tooLong.length), {
      kind: 'corrupt',
      reason: 'metadata longer than the record',
    });

    const noRoom = Buffer.alloc(recordOverhead + 1);
    noRoom.writeUInt32LE(21, 0);
    noRoom[headerBytes + 17] = 1;
    reseal(noRoom);
    assert.deepEqual(checkFrame(noRoom, 0, noRoom.length), {
      kind: 'corrupt',
      reason: 'metadata length past the record',
    });

    const unknownFlag = Buffer.from(good);
    unknownFlag[headerBytes + 17] = 9; // bit 3 is undefined (bit 1: integrity block, bit 2: checkpoint)
    reseal(unknownFlag);
    assert.equal(checkFrame(unknownFlag, 0, unknownFlag.length).kind, 'corrupt');

    // A length that fits but cuts the JSON short: the frame checks, decoding refuses it by name.
    const cut = Buffer.from(good);
    cut.writeUInt16LE(cut.readUInt16LE(metaAt) - 5, metaAt);
    reseal(cut);
    assert.equal(checkFrame(cut, 0, cut.length).kind, 'ok');
    assert.throws(() => decodeFrame(cut, 0, cut.length, 'J-'), { name: 'RecordDecodeError' });
  });

  void it('keeps metadata through a real disk journal closed and reopened (read from the segment file)', async () => {
    const dir = tempDir();
    const first = await openJournal({ dir, newSinkStart: 'oldest' });
    const events = withMetadata(accepted(4), kubernetes, undefined, docker);
    const stored = (await first.append(events)).stored;
    assert.deepEqual(stored[0]!.metadata, kubernetes, 'the appended record carries it (tail cache)');
    assert.equal(stored[1]!.metadata, undefined);
    await first.close();

    const second = await openJournal({ dir, newSinkStart: 'oldest' });
    const read = await everything(second, 'a');
    assert.deepEqual(
      read.map((r) => r.metadata),
      [kubernetes, undefined, docker, kubernetes],
    );
    assert.deepEqual(
      read.map((r) => r.line),
      events.map((e) => e.line),
    );
    await second.close();
  });
});
