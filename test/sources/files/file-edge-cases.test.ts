import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKubeletSimulator } from './kubelet-simulator.js';
import { startInput, tempDir, texts } from './file-input-harness.js';

test('raw files: CRLF, BOM, invalid UTF-8 mid-file kept as exact bytes, torn last line waits until complete', async () => {
  const dir = await tempDir();
  const file = join(dir, 'audit.log');
  const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
  await fsp.writeFile(
    file,
    Buffer.concat([Buffer.from('\uFEFF{"a":1}\r\n{"b":2}\n'), bad, Buffer.from('\n{"c":3}\n{"torn":')]),
  );
  const h = startInput(dir, { include: [file] });
  await h.until(() => h.received.length === 4, 'complete lines');
  await h.ticks(3);
  assert.equal(h.received.length, 4, 'the torn line is not handed over');
  assert.deepEqual(texts(h.received), ['{"a":1}', '{"b":2}', '<invalid_utf8:4>', '{"c":3}']);
  const invalid = h.received[2]!.framed;
  assert.ok(invalid.kind === 'invalid_utf8' && invalid.raw.equals(bad));
  await fsp.appendFile(file, '4}\n');
  await h.until(() => h.received.length === 5, 'completed torn line');
  assert.equal(texts(h.received)[4], '{"torn":4}');
  assert.equal(h.received[4]!.framed.offset, (await fsp.stat(file)).size - '{"torn":4}\n'.length);
  await h.stop();
});

test('a torn last line is handed over when its file rotates away; a deleted open file is read to its end', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  await sim.writeLine('{"n":1}');
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')] });
  await h.until(() => h.received.length === 1, 'first');
  await sim.writeRaw('2026-12-01T10:00:01Z stdout F {"n":2}'); // no newline, never completed
  await sim.rotate();
  await sim.writeLine('{"n":3}');
  await h.until(() => h.received.length === 3, 'torn line of the rotated file, then the new file');
  assert.deepEqual(texts(h.received), ['{"n":1}', '{"n":2}', '{"n":3}']);

  // Deleted while open: the writer's last lines are still read.
  await sim.writeLine('{"n":4}');
  await fsp.unlink(sim.file);
  await h.until(() => h.received.length === 4, 'line of the deleted file');
  assert.equal(texts(h.received)[3], '{"n":4}');
  await h.stop();
});

test('copytruncate is logged and the file is read again from its start; a file created after start is read', async () => {
  const dir = await tempDir();
  const file = join(dir, 'app.log');
  await fsp.writeFile(file, '{"gen":1,"n":1}\n{"gen":1,"n":2}\n');
  const h = startInput(dir, { include: [join(dir, '*.log')] });
  await h.until(() => h.received.length === 2, 'first generation');
  await fsp.truncate(file, 0);
  await fsp.writeFile(file, '{"gen":2}\n');
  await h.until(() => h.received.length === 3, 'after truncation');
  assert.equal(texts(h.received)[2], '{"gen":2}');
  assert.ok(h.logger.entries.some((e) => e.level === 'warn' && /shrank|shorter/.test(e.message)));
  // Truncated and written again past the old offset while the input idles: caught by the changed first line.
  await h.ticks(1);
  await fsp.writeFile(file, '{"gen":3,"n":1,"pad":"................................"}\n{"gen":3,"n":2}\n');
  await h.until(() => h.received.length === 5, 'after a truncation hidden by growth');
  assert.deepEqual(texts(h.received).slice(3), [
    '{"gen":3,"n":1,"pad":"................................"}',
    '{"gen":3,"n":2}',
  ]);

  await fsp.writeFile(join(dir, 'later.log'), '{"later":true}\n');
  await fsp.writeFile(join(dir, 'old.log.gz'), 'not read\n');
  await h.until(() => h.received.length === 6, 'file created after start');
  assert.equal(texts(h.received)[5], '{"later":true}');
  await h.ticks(2);
  assert.equal(h.received.length, 6, '*.gz is excluded');
  await h.stop();
});

test('a line over max_line_bytes, cut into 16 KiB partials, becomes one too_long line with its real length', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'containerd');
  const long = JSON.stringify({ big: 'z'.repeat(100_000) });
  await sim.writeLine(long);
  await sim.writeLine('{"after":1}');
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')], max_line_bytes: 32 * 1024 });
  await h.until(() => h.received.length === 2, 'both lines');
  const [tooLong, after] = h.received;
  assert.ok(tooLong!.framed.kind === 'too_long');
  assert.equal(tooLong!.framed.bytes, Buffer.byteLength(long));
  assert.equal(tooLong!.framed.prefix.toString().slice(0, 10), long.slice(0, 10));
  assert.equal(tooLong!.framed.offset, 0);
  assert.equal(texts([after!])[0], '{"after":1}');
  await h.stop();
});

test('200 files at once, with max_open_files below that: every line of every file once', async () => {
  const dir = await tempDir();
  const files = 200;
  await Promise.all(
    Array.from({ length: files }, (_, i) =>
      fsp.writeFile(join(dir, `f${i}.log`), `{"file":${i},"n":1}\n{"file":${i},"n":2}\n`),
    ),
  );
  const h = startInput(dir, { include: [join(dir, '*.log')], max_open_files: 50 });
  await h.until(() => h.received.length === files * 2, 'all lines');
  await Promise.all(
    Array.from({ length: files }, (_, i) => fsp.appendFile(join(dir, `f${i}.log`), `{"file":${i},"n":3}\n`)),
  );
  await h.until(() => h.received.length === files * 3, 'appended lines');
  const seen = new Set(texts(h.received));
  assert.equal(seen.size, files * 3, 'no line twice, none missing');
  await h.stop();
});

test('read_from: end at the first start skips existing lines; stderr is read when configured', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'crio');
  await sim.writeLine('{"old":1}');
  const h = startInput(dir, {
    include: [join(dir, 'pods/*/*/*.log')],
    read_from: 'end',
    streams: ['stdout', 'stderr'],
  });
  await h.ticks(1);
  await sim.writeLine('{"new":1}', 'stderr');
  await h.until(() => h.received.length === 1, 'new line');
  assert.deepEqual(texts(h.received), ['{"new":1}']);
  await h.stop();
});

test('a partial run whose container log vanished is handed over as rejected, not held forever', async () => {
  const dir = await tempDir();
  const podDir = join(dir, 'pods', 'ns_pod_uid');
  const sim = createKubeletSimulator(podDir, 'containerd');
  await sim.writeLine('{"n":1}');
  await sim.writeLine('x'.repeat(20_000), 'stdout', true); // P piece, its F never written
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')] });
  await h.until(() => h.received.length === 1, 'first line');
  await fsp.rm(podDir, { recursive: true }); // pod deleted
  await h.until(() => h.received.length === 2, 'abandoned run');
  const orphan = h.received[1]!;
  assert.equal(orphan.rejected?.reason, 'partial_line_unterminated');
  assert.equal(orphan.framed.bytes, 16 * 1024);
  await h.stop();
});

test('fs.watch wakes the idle input: an appended line is read before the next poll', async () => {
  const dir = await tempDir();
  const file = join(dir, 'audit.log');
  await fsp.writeFile(file, '{"n":1}\n');
  const h = startInput(dir, { include: [file] });
  await h.until(() => h.received.length === 1, 'first line');
  await h.ticks(1); // discovery has set up the watch
  const asleep = () => h.clock.pending() > 0;
  const deadline = Date.now() + 10_000;
  while (!asleep() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  const before = h.clock.now();
  await fsp.appendFile(file, '{"n":2}\n');
  const woken = Date.now() + 10_000;
  while (h.received.length < 2 && Date.now() < woken) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(h.received.length, 2);
  assert.equal(h.clock.now(), before, 'read without the clock moving');
  await h.stop();
});

test('a symlink (like /var/log/containers) gets its metadata from its target under /var/log/pods', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'prod_web-1_abc'), 'crio', 'wirety-server');
  await sim.writeLine('{"n":1}');
  await fsp.mkdir(join(dir, 'containers'));
  await fsp.symlink(sim.file, join(dir, 'containers', 'web-1_prod_wirety-server-123.log'));
  const h = startInput(dir, { include: [join(dir, 'containers/*.log')] });
  await h.until(() => h.received.length === 1, 'line');
  assert.deepEqual(h.received[0]!.metadata, {
    namespace: 'prod',
    pod: 'web-1',
    pod_uid: 'abc',
    container: 'wirety-server',
  });
  await h.stop();
});

test('CRI content with invalid UTF-8, split across pieces, is handed over as its exact bytes', async () => {
  const dir = await tempDir();
  const sim = createKubeletSimulator(join(dir, 'pods', 'ns_pod_uid'), 'crio');
  const content = Buffer.concat([
    Buffer.from('{"a":"'),
    Buffer.alloc(9000, 0x61),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}'),
  ]);
  await sim.writeLine(content);
  await sim.writeLine('{"ok":1}');
  const h = startInput(dir, { include: [join(dir, 'pods/*/*/*.log')] });
  await h.until(() => h.received.length === 2, 'both lines');
  const bad = h.received[0]!.framed;
  assert.ok(bad.kind === 'invalid_utf8' && bad.raw.equals(content));
  assert.equal(texts(h.received)[1], '{"ok":1}');
  await h.stop();
});
