import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineFramer, type FramedLine } from '../../src/sources/line-framer.js';

function frameAll(chunks: (string | Buffer)[], maxLineBytes = 64, prefixBytes = 8): FramedLine[] {
  const framer = createLineFramer({ maxLineBytes, prefixBytes });
  const out: FramedLine[] = [];
  for (const c of chunks) out.push(...framer.push(typeof c === 'string' ? Buffer.from(c) : c));
  out.push(...framer.end());
  return out;
}

const texts = (lines: FramedLine[]) => lines.map((l) => (l.kind === 'line' ? l.text : `<${l.kind}>`));

test('splits on LF, strips CR and a BOM, keeps the unterminated last line', () => {
  const lines = frameAll(['\uFEFF{"a":1}\r\n{"b":2}\n', '{"c":', '3}']);
  assert.deepEqual(texts(lines), ['{"a":1}', '{"b":2}', '{"c":3}']);
  assert.deepEqual(
    lines.map((l) => l.bytes),
    [7, 7, 7],
  );
});

test('empty lines are lines; a trailing newline does not make an extra one', () => {
  assert.deepEqual(texts(frameAll(['a\n\n\r\nb\n'])), ['a', '', '', 'b']);
  assert.deepEqual(frameAll([]), []);
  assert.deepEqual(frameAll(['']), []);
});

test('lines split across many chunks, including inside a multi-byte character', () => {
  const line = '{"peer_name":"café 🚀"}';
  const bytes = Buffer.from(line + '\n' + line + '\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  const lines = frameAll(chunks);
  assert.deepEqual(texts(lines), [line, line]);
  assert.equal(lines[0]!.bytes, Buffer.byteLength(line));
});

test('invalid UTF-8 is reported with the raw bytes, never repaired', () => {
  const bad = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
  const lines = frameAll([Buffer.concat([Buffer.from('ok\n'), bad, Buffer.from('\nok2\n')])]);
  assert.deepEqual(texts(lines), ['ok', '<invalid_utf8>', 'ok2']);
  const invalid = lines[1]!;
  assert.equal(invalid.kind, 'invalid_utf8');
  if (invalid.kind === 'invalid_utf8') assert.deepEqual(invalid.raw, bad);
});

test('a line over maxLineBytes becomes too_long with a prefix and its real length', () => {
  const long = 'x'.repeat(100);
  const lines = frameAll([`short\n${long}\nafter\n`], 64, 8);
  assert.deepEqual(texts(lines), ['short', '<too_long>', 'after']);
  const tooLong = lines[1]!;
  assert.equal(tooLong.kind, 'too_long');
  if (tooLong.kind === 'too_long') {
    assert.equal(tooLong.bytes, 100);
    assert.equal(tooLong.prefix.toString(), 'xxxxxxxx');
  }
});

test('a 10 MB line streamed in 64 KiB chunks is measured, not held', () => {
  const framer = createLineFramer({ maxLineBytes: 256 * 1024 });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const out: FramedLine[] = [];
  const total = 10 * 1024 * 1024;
  for (let sent = 0; sent < total; sent += chunk.length) out.push(...framer.push(chunk));
  out.push(...framer.push(Buffer.from('\r\n{"next":true}\n')));
  assert.equal(out.length, 2);
  const first = out[0]!;
  assert.equal(first.kind, 'too_long');
  if (first.kind === 'too_long') {
    assert.equal(first.bytes, total);
    assert.equal(first.prefix.length, 4096);
  }
  assert.deepEqual(texts([out[1]!]), ['{"next":true}']);
});

test('the CR of an over-long CRLF line is not counted even when it ends a chunk', () => {
  const lines = frameAll(['y'.repeat(70) + '\r', '\nz\n'], 64, 4);
  assert.equal(lines[0]!.kind, 'too_long');
  assert.equal(lines[0]!.bytes, 70);
  assert.deepEqual(texts([lines[1]!]), ['z']);
});

test('exactly maxLineBytes is a line; one more byte is too long', () => {
  const lines = frameAll(['a'.repeat(64) + '\r\n' + 'b'.repeat(65) + '\n'], 64);
  assert.equal(lines[0]!.kind, 'line');
  assert.equal(lines[1]!.kind, 'too_long');
});

test('an over-long unterminated last line is reported at end', () => {
  const lines = frameAll(['q'.repeat(200)], 64, 4);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.kind, 'too_long');
  assert.equal(lines[0]!.bytes, 200);
});

test('every line knows its 1-based number and the byte offset of its first byte, across chunks', () => {
  const long = 'y'.repeat(100);
  const input = Buffer.concat([
    Buffer.from('\uFEFFfirst\r\n\n'),
    Buffer.from('caf\u00e9\n'),
    Buffer.from([0xff, 0x0a]),
    Buffer.from(`${long}\nlast`),
  ]);
  // One byte at a time, so no line starts or ends at a chunk boundary by luck.
  const chunks: Buffer[] = [];
  for (let i = 0; i < input.length; i++) chunks.push(input.subarray(i, i + 1));
  for (const lines of [frameAll([input], 64, 8), frameAll(chunks, 64, 8)]) {
    assert.deepEqual(
      lines.map((l) => [l.kind, l.lineNumber, l.offset]),
      [
        ['line', 1, 0],
        ['line', 2, 10],
        ['line', 3, 11],
        ['invalid_utf8', 4, 17],
        ['too_long', 5, 19],
        ['line', 6, 120],
      ],
    );
    // The offset is where the line's bytes are in the input: `tail -c +<offset+1>` starts there.
    for (const l of lines) {
      if (l.kind === 'line' && l.text !== '' && l.lineNumber > 1)
        assert.equal(input.subarray(l.offset, l.offset + l.bytes).toString(), l.text);
    }
  }
});
