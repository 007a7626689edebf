/**
 * Scenario 4 of issue 12: how fast the CLI starts.
 *
 * - `--version` and `--help`: wall time from spawn to exit, median of `runs` (peak RSS from
 *   /usr/bin/time when the machine has it: the process is too short to poll /proc).
 * - first delivery: a fresh `--loki` run (disk journal, defaults) fed a small corpus on stdin;
 *   the time from spawn (stamped here just before it) to the first push request having arrived at
 *   the receiver (stamped there), both on the wall clock of bench/epoch-ms.ts. The corpus ends,
 *   so the shipper flushes at EOF instead of waiting out a partial batch. Median of `runs`.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ShipperCommand } from './audit-rate.js';
import type { CorpusFile } from './corpus-file.js';
import { runToExit } from './exiting-process.js';
import { startReceiver } from './receiver.js';
import { figures, report } from './results.js';
import { median } from './stats.js';

const TIME = '/usr/bin/time';

/** Wall ms from spawn to exit, and the peak RSS in MiB when /usr/bin/time is there to tell. */
async function timeOnce(cmd: ShipperCommand, flag: string): Promise<{ ms: number; rssMiB?: number }> {
  const withTime = existsSync(TIME);
  const node = [process.execPath, ...cmd.nodeFlags, cmd.cli, flag];
  const started = performance.now();
  const child = withTime
    ? spawn(TIME, ['-f', 'bench-maxrss %M', ...node], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(node[0] as string, node.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = performance.now() - started;
  await new Promise((resolve) =>
    child.stderr.readableEnded ? resolve(undefined) : child.stderr.once('end', resolve),
  );
  if (code !== 0) throw new Error(`${flag} exited ${code}: ${stderr.slice(-2000)}`);
  const kib = /bench-maxrss (\d+)/.exec(stderr)?.[1];
  return kib === undefined ? { ms } : { ms, rssMiB: Number(kib) / 1024 };
}

async function timeFlag(cmd: ShipperCommand, flag: string, runs: number): Promise<number> {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await timeOnce(cmd, flag));
  const ms = median(results.map((r) => r.ms));
  const rss = results.flatMap((r) => (r.rssMiB === undefined ? [] : [r.rssMiB]));
  report(
    `start: ${flag}`,
    `${ms.toFixed(0)} ms (median of ${runs}, ${Math.min(...results.map((r) => r.ms)).toFixed(0)}–${Math.max(...results.map((r) => r.ms)).toFixed(0)})${rss.length ? `  peak RSS ${Math.max(...rss).toFixed(0)} MiB` : ''}`,
  );
  return ms;
}

async function firstDelivery(cmd: ShipperCommand, c: CorpusFile, runs: number): Promise<number | undefined> {
  const receiver = await startReceiver(cmd.root);
  const times: number[] = [];
  const exits: (number | null)[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      await receiver.reset();
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
      try {
        const r = await runToExit({
          nodeArgs: [
            ...cmd.nodeFlags,
            cmd.cli,
            '--loki',
            receiver.url,
            '--data-dir',
            path.join(dataDir, 'data'),
            '--dead-letter',
            path.join(dataDir, 'dead.ndjson'),
          ],
          stdinPath: c.path,
        });
        exits.push(r.exitCode);
        const got = await receiver.count();
        if (got.firstAt !== undefined) times.push(got.firstAt - r.spawnedAt);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    receiver.stop();
  }
  const ms = times.length ? median(times) : undefined;
  report(
    'start: first delivery',
    ms === undefined
      ? `no request reached the receiver (exits ${exits.join(', ')})`
      : `${ms.toFixed(0)} ms from spawn to the first push request arriving (median of ${times.length}, ${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}; ${c.lines.toLocaleString('en')}-line corpus on stdin → loki, disk)`,
  );
  return ms;
}

export async function startTimes(cmd: ShipperCommand, small: CorpusFile, runs: number): Promise<void> {
  const versionMs = await timeFlag(cmd, '--version', runs);
  const helpMs = await timeFlag(cmd, '--help', runs);
  const firstDeliveryMs = await firstDelivery(cmd, small, Math.max(1, Math.ceil(runs / 2)));
  figures.start = { versionMs, helpMs, ...(firstDeliveryMs === undefined ? {} : { firstDeliveryMs }) };
}
