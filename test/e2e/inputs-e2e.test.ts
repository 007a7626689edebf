/**
 * The file and Forward inputs through the built CLI, as operators run them:
 * (a) `--file` on a CRI log being appended and rotated kubelet-style (test/sources/files/
 *     kubelet-simulator.ts) → a Loki receiver gets every event once; kill -9 mid-run and a
 *     restart → every event delivered, and an event delivered twice carries the same id both
 *     times (id = file identity + byte offset), so Loki de-duplicates it;
 * (b) `--forward 127.0.0.1:0` with the published client @fluent-org/logger asking for acks: an
 *     ack comes back only once the request's events are in the journal file (fsync always), Loki
 *     gets them, SIGTERM → exit 0.
 * No sleeps: each step waits for what it needs (receiver entries, log lines), bounded in time.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FluentClient } from '@fluent-org/logger';
import { startLokiReceiver, type LokiEntry } from '../receivers/loki-receiver.js';
import { startCli, type CliProcess } from '../helpers/run-cli.js';
import {
  logLines,
  makeCorpus,
  pollUntil,
  summaryOf,
  tally,
  tempDir,
  type TempDir,
} from '../helpers/e2e-corpus.js';
import { journalText, stopCli, waitForLines } from '../helpers/input-e2e.js';
import { createKubeletSimulator } from '../sources/files/kubelet-simulator.js';

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-inputs-');
});
after(async () => {
  await dir.remove();
});

/** Every line's deliveries share one event id, and distinct lines have distinct ids. */
function assertStableIds(entries: readonly LokiEntry[]): void {
  const idsByLine = new Map<string, Set<string>>();
  for (const e of entries) {
    const ids = idsByLine.get(e.line) ?? new Set<string>();
    ids.add(e.metadata.event_id ?? '');
    idsByLine.set(e.line, ids);
  }
  const unstable = [...idsByLine].filter(([, ids]) => ids.size !== 1);
  assert.deepEqual(unstable, [], 'a repeated event carries the id of its first delivery');
  const ids = [...idsByLine.values()].map((s) => [...s][0]);
  assert.equal(new Set(ids).size, ids.length, 'distinct events have distinct ids');
}

test('--file on a kubelet-rotated CRI log: every event once; kill -9 and restart: every event, repeats with the same ids', async () => {
  const corpus = makeCorpus(600, { onlyValid: true });
  const lines = corpus.validLines;
  const receiver = await startLokiReceiver();
  const podDir = join(dir.path, 'pods', 'prod_wirety-0_1f2e3d4c');
  const kubelet = createKubeletSimulator(podDir, 'containerd');
  const data = dir.file('file-data');
  const args = [
    '--file',
    join(dir.path, 'pods', '*_wirety-*', 'wirety-server', '*.log'),
    '--file-format',
    'cri',
    '--loki',
    receiver.url,
    '--data-dir',
    data,
    '--dead-letter',
    dir.file('file-dead.ndjson'),
    '--shutdown-timeout',
    '10s',
  ];
  const write = async (from: number, to: number) => {
    for (const line of lines.slice(from, to)) await kubelet.writeLine(line);
  };
  try {
    // Run 1: appended, rotated twice (the second rotation gzips and unlinks the first rotated
    // file), all delivered; then appended again and killed while shipping.
    let cli = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    await write(0, 100);
    await waitForLines(receiver, lines.slice(0, 100));
    await kubelet.rotate();
    await write(100, 200);
    await waitForLines(receiver, lines.slice(0, 200));
    await kubelet.rotate();
    await write(200, 300);
    await waitForLines(receiver, lines.slice(0, 300));
    assert.equal(receiver.entries().length, 300, 'no event delivered twice while running');
    await write(300, 400);
    await pollUntil('some of the next lines delivered', () =>
      receiver.entries().length > 300 ? true : undefined,
    );
    cli.child.kill('SIGKILL');
    const killed = await cli.result;
    assert.equal(killed.signal, 'SIGKILL');

    // While it is down: more lines, and a rotation (the file being read is renamed).
    await write(400, 500);
    await kubelet.rotate();
    await write(500, 600);

    // Run 2: resumes from the committed positions, follows the renamed file to its end.
    cli = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    await waitForLines(receiver, lines);
    const result = await stopCli(cli);
    assert.equal(result.code, 0, result.stderr);

    const entries = receiver.entries();
    assert.deepEqual([...new Set(entries.map((e) => e.line))].sort(), [...lines].sort(), 'every event');
    assertStableIds(entries);
    const repeats = [...tally(entries.map((e) => e.line))].filter(([, n]) => n > 1).length;
    assert.ok(
      repeats <= 200,
      `repeats are bounded by what was read since the last saved position (${repeats})`,
    );
    // Loki keeps each event once: a re-read line comes back with the same id, and its entry's
    // timestamp comes from that id (src/sinks/loki/entry-nanos.ts), so the copy is identical.
    const stored = receiver.stored().filter((e) => lines.includes(e.line));
    assert.equal(stored.length, lines.length, 'what Loki holds after its de-duplication: each event once');
    const positions = await readdir(join(data, 'positions'));
    assert.deepEqual(positions, ['file.json'], 'positions beside the journal, named after the input');
  } finally {
    await receiver.close();
  }
});

test('--forward 127.0.0.1:0 with @fluent-org/logger and acks: acked once journaled, delivered, SIGTERM → exit 0', async () => {
  const corpus = makeCorpus(60, { onlyValid: true });
  const receiver = await startLokiReceiver();
  const data = dir.file('forward-data');
  const cli = startCli(
    [
      '--forward',
      '127.0.0.1:0',
      '--loki',
      receiver.url,
      '--data-dir',
      data,
      '--fsync',
      'always',
      '--dead-letter',
      dir.file('forward-dead.ndjson'),
    ],
    { cwd: dir.path, timeoutMs: 60_000 },
  );
  let client: FluentClient | undefined;
  try {
    await cli.waitForStderr(/forward input listening/);
    const listening = logLines(await stderrSoFar(cli)).find((l) => l.msg === 'forward input listening');
    const address = typeof listening?.address === 'string' ? listening.address : '';
    const port = Number(/^127\.0\.0\.1:(\d+)$/.exec(address)?.[1]);
    assert.ok(port > 0, `the bound port is logged: ${address}`);

    client = new FluentClient('docker.wirety', {
      eventMode: 'Message',
      socket: { host: '127.0.0.1', port, disableReconnect: true },
      ack: { ackTimeout: 20_000 },
    });
    await client.connect();
    for (const line of corpus.validLines) {
      await client.emit({
        container_name: '/wirety-server',
        container_id: 'abc123',
        source: 'stdout',
        log: line,
      });
      // The ack came back: the event is in the journal file already (fsync always).
      const journal = await journalText(data);
      assert.ok(journal.includes(line), 'an acked event is in the journal');
    }
    await waitForLines(receiver, corpus.validLines);
    await client.shutdown();
    client = undefined;
    const result = await stopCli(cli);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(summaryOf(result.stderr).lines_read, corpus.validLines.length);
    assert.equal(receiver.entries().length, corpus.validLines.length);
  } finally {
    await client?.shutdown().catch(() => undefined);
    cli.child.kill('SIGKILL');
    await cli.result;
    await receiver.close();
  }
});

async function stderrSoFar(cli: CliProcess): Promise<string> {
  let text = '';
  await cli.waitForStderr((s) => ((text = s), true));
  return text;
}
