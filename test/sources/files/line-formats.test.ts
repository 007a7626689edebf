import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCriLine } from '../../../src/sources/files/cri-line.js';
import { detectFormat } from '../../../src/sources/files/detect-format.js';
import { parseDockerLine } from '../../../src/sources/files/docker-line.js';
import { FINGERPRINT_BYTES, readFingerprint } from '../../../src/sources/files/fingerprint.js';
import { metadataFromPath } from '../../../src/sources/files/kubernetes-path.js';
import { openPositionsStore } from '../../../src/sources/files/positions-store.js';
import { rotationFamily } from '../../../src/sources/files/rotation-family.js';
import { tempDir } from './file-input-harness.js';

test('CRI lines: containerd and CRI-O timestamps, P/F tags, empty content, malformed lines', () => {
  const entry = (line: string) => parseCriLine(Buffer.from(line));
  assert.deepEqual(entry('2026-12-01T10:00:00.1Z stdout F {"a":1}'), {
    stream: 'stdout',
    final: true,
    content: Buffer.from('{"a":1}'),
  });
  assert.deepEqual(entry('2026-12-01T10:00:00Z stderr P part one '), {
    stream: 'stderr',
    final: false,
    content: Buffer.from('part one '),
  });
  assert.deepEqual(entry('2026-12-01T03:17:29.346494690+00:00 stdout F x'), {
    stream: 'stdout',
    final: true,
    content: Buffer.from('x'),
  });
  assert.deepEqual(entry('2026-12-01T10:00:00Z stdout F:extra y'), {
    stream: 'stdout',
    final: true,
    content: Buffer.from('y'),
  });
  assert.deepEqual(entry('2026-12-01T10:00:00Z stdout F'), {
    stream: 'stdout',
    final: true,
    content: Buffer.alloc(0),
  });
  for (const bad of [
    '{"a":1}',
    'yesterday stdout F x',
    '2026-12-01T10:00:00Z stdin F x',
    '2026-12-01T10:00:00Z stdout X x',
  ]) {
    assert.ok('error' in entry(bad), bad);
  }
});

test('json-file lines: escapes undone, partial pieces have no trailing newline', () => {
  assert.deepEqual(
    parseDockerLine('{"log":"\\u003ca\\u0026b\\u003e\\n","stream":"stdout","time":"2026-12-01T10:00:00Z"}'),
    {
      stream: 'stdout',
      final: true,
      content: Buffer.from('<a&b>'),
    },
  );
  assert.deepEqual(parseDockerLine('{"log":"piece","stream":"stderr","time":"t"}'), {
    stream: 'stderr',
    final: false,
    content: Buffer.from('piece'),
  });
  assert.ok('error' in parseDockerLine('{"log":1}'));
  assert.ok('error' in parseDockerLine('not json'));
});

test('format detection per file, rotation families, Kubernetes metadata from the path', () => {
  assert.equal(detectFormat(Buffer.from('2026-12-01T10:00:00.5Z stdout F {}\n')), 'cri');
  assert.equal(detectFormat(Buffer.from('2026-12-01T10:00:00.500000000+02:00 stderr P abc')), 'cri');
  assert.equal(detectFormat(Buffer.from('{"log":"x\\n","stream":"stdout"}\n')), 'docker');
  assert.equal(detectFormat(Buffer.from('{"time":"2026-12-01T10:00:00Z","action":"login"}\n')), 'raw');
  assert.equal(rotationFamily('/p/ns_pod_uid/c/0.log.20261201-100001'), '/p/ns_pod_uid/c/0.log');
  assert.equal(rotationFamily('/d/x/x-json.log.1'), '/d/x/x-json.log');
  assert.equal(rotationFamily('/p/ns_pod_uid/c/0.log'), '/p/ns_pod_uid/c/0.log');
  assert.deepEqual(metadataFromPath('/var/log/pods/prod_web-0_7f1c/wirety-server/3.log', 'node-1'), {
    namespace: 'prod',
    pod: 'web-0',
    pod_uid: '7f1c',
    container: 'wirety-server',
    node: 'node-1',
  });
  assert.equal(metadataFromPath('/var/log/wirety/audit.log'), undefined);
  assert.deepEqual(metadataFromPath('/var/log/wirety/audit.log', 'n'), { node: 'n' });
});

test('fingerprint: the first line (at most 256 bytes); none while the first line is short and torn', async () => {
  const dir = await tempDir();
  const file = join(dir, 'f.log');
  await fsp.writeFile(file, '{"torn":');
  const handle = await fsp.open(file, 'r');
  try {
    assert.equal(await readFingerprint(handle, dir), undefined);
    await fsp.appendFile(file, '1}\nsecond line\n');
    const first = await readFingerprint(handle, dir);
    assert.equal(first?.head.toString(), '{"torn":1}\n');
    await fsp.appendFile(file, 'more lines do not change it\n');
    assert.equal((await readFingerprint(handle, dir))?.identity, first?.identity);
    assert.notEqual(
      (await readFingerprint(handle, '/elsewhere'))?.identity,
      first?.identity,
      'the directory is part of it',
    );
  } finally {
    await handle.close();
  }
  const long = join(dir, 'long.log');
  await fsp.writeFile(long, 'y'.repeat(FINGERPRINT_BYTES + 10));
  const longHandle = await fsp.open(long, 'r');
  assert.equal((await readFingerprint(longHandle, dir))?.head.length, FINGERPRINT_BYTES);
  await longHandle.close();
});

test('positions store: atomic JSON file, no temp file left, a corrupt file is a clear error', async () => {
  const dir = await tempDir();
  const path = join(dir, 'data', 'positions.json');
  const store = await openPositionsStore(path, 1000);
  assert.equal(store.firstStart, true);
  store.set('abc', { offset: 10, line: 1, path: '/x', seen: 5000 });
  store.set('old', { offset: 1, line: 1, path: '/y', seen: 1000 });
  await store.save(5000);
  assert.deepEqual(await fsp.readdir(join(dir, 'data')), ['positions.json']);
  const again = await openPositionsStore(path, 1000);
  assert.equal(again.firstStart, false);
  assert.deepEqual(again.get('abc'), { offset: 10, line: 1, path: '/x', seen: 5000 });
  assert.equal(again.get('old'), undefined, 'entries older than the retention are dropped');
  await fsp.writeFile(path, '{"files":');
  await assert.rejects(openPositionsStore(path, 1000), /positions .* are not valid JSON/);
});
