/**
 * The file and Forward inputs killed with SIGKILL while they work, then restarted on the same data
 * directory (issues 10 and 11): nothing is lost, and what comes twice comes with the id (and so the
 * Loki timestamp) of its first copy, so Loki keeps it once.
 *
 * (1) `--file`: a kubelet simulator appends CRI lines (some over 16 KiB, so split into P + F pieces)
 *     and rotates kubelet-style while wirety-ship is killed at random moments, over several rounds.
 *     The delays and the rotation points come from a seeded generator; the seed is in the test name
 *     and `KILL9_SEED=<seed>` replays them.
 * (2) `--forward`: a client that re-sends every request without an ack after reconnecting
 *     (test/helpers/resending-forward-client.ts) streams Messages with `chunk` under `--fsync always`;
 *     wirety-ship is killed in the middle of the stream and restarted on the same port.
 * No fixed sleeps except the random kill delays of (1), which are the point of that test; every
 * other wait is for something observable and bounded in time.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startLokiReceiver, type LokiEntry, type LokiReceiver } from '../receivers/loki-receiver.js';
import { startCli, type CliProcess, type CliResult } from '../helpers/run-cli.js';
import { makeCorpus, pollUntil, summaryOf, tally, tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { messageRequest, sendWithResend, type ResendingClient } from '../helpers/resending-forward-client.js';
import { journalText, stopCli, waitForLines } from '../helpers/input-e2e.js';
import { createKubeletSimulator } from '../sources/files/kubelet-simulator.js';
import { seededRandom } from '../helpers/seeded-random.js';

const seed = Number(process.env.KILL9_SEED ?? Math.floor(Math.random() * 2 ** 31));

let dir: TempDir;
before(async () => {
  dir = await tempDir('ws-e2e-inputs-crash-');
});
after(async () => {
  await dir.remove();
});

/**
 * Every copy of a line carries the event id and the Loki timestamp of its first delivery (so Loki
 * stores it once), and distinct lines have distinct ids. Returns how many deliveries were repeats.
 */
function assertRepeatsIdentical(receiver: LokiReceiver, lines: readonly string[]): number {
  const entries = receiver.entries();
  assert.deepEqual(
    [...new Set(entries.map((e) => e.line))].sort(),
    [...lines].sort(),
    'every event delivered',
  );
  const first = new Map<string, LokiEntry>();
  const differing: string[] = [];
  for (const e of entries) {
    const f = first.get(e.line);
    if (!f) first.set(e.line, e);
    else if (f.metadata.event_id !== e.metadata.event_id || f.timestampNs !== e.timestampNs)
      differing.push(
        `${e.line.slice(0, 80)}…: first ${f.metadata.event_id}@${f.timestampNs}, again ${e.metadata.event_id}@${e.timestampNs}`,
      );
  }
  assert.deepEqual(differing, [], 'a repeated event carries the id and timestamp of its first delivery');
  const ids = [...first.values()].map((e) => e.metadata.event_id);
  assert.ok(
    ids.every((id) => id !== undefined && id !== ''),
    'every event has an id',
  );
  assert.equal(new Set(ids).size, ids.length, 'distinct events have distinct ids');
  assert.equal(receiver.stored().length, lines.length, 'Loki keeps each event once');
  return entries.length - lines.length;
}

async function kill9(cli: CliProcess): Promise<void> {
  cli.child.kill('SIGKILL');
  const killed = await cli.result;
  assert.equal(killed.timedOut, false, killed.stderr);
}

async function stopWithResult(cli: CliProcess): Promise<CliResult> {
  const result = await stopCli(cli);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** A port nothing listens on now, so a restarted listener can take the same address. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

test(
  `--file: kill -9 at random points while the kubelet writes and rotates, restart each time: every event, repeats identical (seed ${seed}; replay with KILL9_SEED=${seed})`,
  { timeout: 90_000 },
  async (t) => {
    const random = seededRandom(seed);
    // Mostly short lines; every 60th is over 16 KiB, so containerd writes it as P + F pieces that a
    // kill can fall between.
    const short = makeCorpus(1200, { onlyValid: true }).validLines;
    const long = makeCorpus(40, { onlyValid: true, pad: 20_000 }).validLines; // half of them valid
    assert.ok(long.length >= 20 && long.every((l) => l.length > 16 * 1024));
    const lines = short.flatMap((line, i) => (i % 60 === 59 ? [line, long[(i - 59) / 60]!] : [line]));
    const rotateAfter = new Set<number>();
    for (let at = 60 + Math.floor(random() * 150); at < lines.length; at += 60 + Math.floor(random() * 150))
      rotateAfter.add(at);
    const rounds = 4;
    const killDelays = Array.from({ length: rounds }, () => 100 + Math.floor(random() * 2_400));
    t.diagnostic(
      `seed ${seed}: rotations after lines ${[...rotateAfter].join(',')}; kills after ${killDelays.join(',')} ms`,
    );

    const receiver = await startLokiReceiver();
    const kubelet = createKubeletSimulator(join(dir.path, 'pods', 'prod_wirety-0_1f2e3d4c'), 'containerd');
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
      '--fsync',
      'always',
      '--dead-letter',
      dir.file('file-dead.ndjson'),
      '--shutdown-timeout',
      '10s',
    ];

    // The kubelet, writing and rotating independently of wirety-ship's kills and restarts. It waits
    // for two things only, which no reader of `*.log` can do without (the real kubelet rotates at
    // 10 MiB, so in practice they hold):
    // - before the first rotation, that wirety-ship has started once (its positions file exists):
    //   a first start reads only what the globs match, rotated copies already there are history;
    // - before the next rotation gzips and unlinks the previous rotated file, that the lines it held
    //   reached Loki (a gzipped file is not read; a reader down for two rotations loses lines with
    //   every shipper).
    // A file rotated before wirety-ship saved any position of it is found after the restart as a
    // rotated copy with no position, and read from its start.
    const positionsFile = join(data, 'positions', 'file.json');
    let writerFailed: unknown;
    const writer = (async () => {
      let beforePreviousRotation = 0;
      for (let i = 0; i < lines.length; i++) {
        if (rotateAfter.has(i)) {
          await pollUntil(
            'wirety-ship started once (its positions file exists)',
            () =>
              readFile(positionsFile).then(
                () => true,
                () => undefined,
              ),
            60_000,
          );
          await waitForLines(receiver, lines.slice(0, beforePreviousRotation), 60_000);
          await kubelet.rotate();
          beforePreviousRotation = i;
        }
        await kubelet.writeLine(lines[i]!);
      }
    })().catch((error: unknown) => {
      writerFailed = error;
    });

    let cli: CliProcess | undefined;
    try {
      for (const killAfter of killDelays) {
        cli = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
        await delay(killAfter); // the random point: the point of this test
        await kill9(cli);
        cli = undefined;
      }
      cli = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
      await writer;
      assert.equal(writerFailed, undefined, `the kubelet simulator: ${String(writerFailed)}`);
      await waitForLines(receiver, lines);
      await stopWithResult(cli);
      cli = undefined;

      const repeats = assertRepeatsIdentical(receiver, lines);
      t.diagnostic(
        `delivered ${receiver.entries().length} entries for ${lines.length} events (${repeats} repeats)`,
      );
      const lineRepeats = [...tally(receiver.entries().map((e) => e.line))].filter(([, n]) => n > 1).length;
      t.diagnostic(`${lineRepeats} events delivered more than once`);
    } finally {
      if (cli) await kill9(cli).catch(() => undefined);
      await writer;
      await receiver.close();
    }
  },
);

test(
  `--forward: kill -9 between receive and ack, restart on the same port: the client re-sends, nothing lost, repeats bounded and identical (seed ${seed})`,
  { timeout: 90_000 },
  async (t) => {
    const random = seededRandom(seed ^ 0x5eed);
    const lines = makeCorpus(3000, { onlyValid: true }).validLines;
    const requests = lines.map((log, i) =>
      messageRequest('docker.wirety', 1748000000 + i, {
        container_id: 'abc123',
        container_name: '/wirety-server',
        source: 'stdout',
        log,
      }),
    );
    // Kill once this many acks came back: the window keeps requests received and not yet acked
    // (each ack waits for an fsync) at that moment.
    const killAt = Math.floor(lines.length * (0.2 + random() * 0.5));
    const receiver = await startLokiReceiver();
    const data = dir.file('forward-data');
    const port = await freePort();
    const args = [
      '--forward',
      `127.0.0.1:${port}`,
      '--loki',
      receiver.url,
      '--data-dir',
      data,
      '--fsync',
      'always',
      '--dead-letter',
      dir.file('forward-dead.ndjson'),
      '--shutdown-timeout',
      '10s',
    ];
    let cli: CliProcess | undefined = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
    let client: ResendingClient | undefined;
    try {
      await cli.waitForStderr(/forward input listening/);
      const first = cli;
      let killed: Promise<void> | undefined;
      client = sendWithResend(requests, {
        host: '127.0.0.1',
        port,
        window: 64,
        timeoutMs: 60_000,
        onAck: (acked) => {
          if (acked === killAt) killed = kill9(first);
        },
      });
      await pollUntil('the kill', () => (killed ? true : undefined), 30_000);
      await killed;
      // What the journal holds of the requests the client has no ack for: received and journaled,
      // the ack not yet written when the process died (the case this test is about). The newest
      // records are in the last segment, which is never collected.
      const chunksOf = new Map(requests.map((r, i) => [r.chunk, lines[i]!]));
      await pollUntil(
        'the client to see the connection drop',
        () => (client!.disconnects.length > 0 ? true : undefined),
        10_000,
      );
      const atKill = client.disconnects[0]!;
      const journal = await journalText(data);
      const receivedNotAcked = atKill.unacked.filter((chunk) =>
        journal.includes(chunksOf.get(chunk)!),
      ).length;

      cli = startCli(args, { cwd: dir.path, timeoutMs: 60_000 });
      await client.done;
      const disconnects = client.disconnects;
      const resent = client.resent();
      client = undefined;
      await waitForLines(receiver, lines);
      const result = await stopWithResult(cli);
      cli = undefined;

      assert.equal(disconnects.length, 1, 'one connection lost, at the kill');
      assert.ok(atKill.unacked.length > 0, 'requests were in flight at the kill');
      assert.equal(resent, atKill.unacked.length, 'the client re-sent exactly what had no ack');
      const repeats = assertRepeatsIdentical(receiver, lines);
      // After the restart the journal took each re-sent request once and the rest once: so the
      // requests journaled twice are those received before the kill and not acked, ≤ the unacked.
      assert.equal(
        summaryOf(result.stderr).journaled,
        lines.length - atKill.acked,
        'after the restart: each request without an ack at the kill journaled once',
      );
      assert.ok(receivedNotAcked <= atKill.unacked.length);
      t.diagnostic(
        `killed after ${atKill.acked} acks; ${atKill.unacked.length} unacked and re-sent, ${receivedNotAcked} of them already journaled (received, not acked); ${repeats} repeated Loki deliveries`,
      );
    } finally {
      client?.close();
      if (cli) await kill9(cli).catch(() => undefined);
      await receiver.close();
    }
  },
);
