/**
 * Scenario 3 of issue 12: what the shipper costs at a real audit rate, and fully idle.
 *
 * `rate-100`: bench/paced-writer.ts writes RATE stamped audit lines/s for SECONDS straight into
 * the shipper's stdin (its stdout is the shipper's stdin pipe) → `--loki`, disk journal, defaults.
 * Steady window: from WARM_UP (5 s, or a third of SECONDS) after the writer's first line, and
 * not before the first delivery, to its last line (start-up, JIT and the first batch left out). Over it: the shipper's CPU (utime + stime, /proc/<pid>/stat) as % of
 * one core, and the delivery latency of the lines sent in it (arrival at the receiver − the send
 * time in the line: p50 / p99 / max). The target is p99 ≤ the Loki sink's batch wait (read from
 * `--check-config` of the same command line) + 100 ms.
 *
 * `idle`: stdin a pipe kept open with nothing written, three HTTP sinks (Loki, Elasticsearch,
 * Splunk HEC, all the counting receiver) for SECONDS: CPU % of one core from 10 s (or a third of
 * SECONDS) after spawn to the end, peak RSS and RSS at the end.
 *
 * Both run at log level warn, like every bench scenario (bench/running-shipper.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { epochMs } from './epoch-ms.js';
import { startReceiver } from './receiver.js';
import { figures, peakRss, report } from './results.js';
import { startShipper, waitForDelivered, type RunningShipper } from './running-shipper.js';

export interface ShipperCommand {
  readonly root: string;
  readonly cli: string;
  readonly nodeFlags: readonly string[];
}

/** Start-up and the first batches are not the steady state. */
const warmUpSeconds = (seconds: number) => Math.min(5, seconds / 3);

/** The first sink's batch wait (ms) as the CLI resolves this command line. */
function batchWaitMs(cmd: ShipperCommand, cliArgs: readonly string[]): number | undefined {
  const text = execFileSync(process.execPath, [cmd.cli, ...cliArgs, '--check-config'], { encoding: 'utf8' });
  const m = /batch up to .*? \/ .*? \/ (\d+(?:\.\d+)?)(ms|s|m)\b/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'];
}

/** CPU % of one core between two readings of `cpuSeconds()` `wallMs` apart. */
function cpuPercent(cpu0: number | undefined, cpu1: number | undefined, wallMs: number): number | undefined {
  return cpu0 === undefined || cpu1 === undefined ? undefined : ((cpu1 - cpu0) / (wallMs / 1000)) * 100;
}

const cpuText = (pct: number | undefined, wallMs: number, seconds: number) =>
  pct === undefined
    ? 'CPU not read'
    : `CPU ${pct.toFixed(2)} % of one core over ${(wallMs / 1000).toFixed(0)} s steady${wallMs < (seconds * 1000) / 2 ? ' (SHORT window: the shipper was slow to start; a longer run measures more)' : ''}`;

async function stopped(shipper: RunningShipper): Promise<string> {
  const s = await shipper.stop(60_000);
  if (s.exitCode !== 0) process.stderr.write(shipper.stderrTail());
  return `SIGTERM → exit ${s.exitCode} in ${s.seconds.toFixed(2)} s`;
}

export async function realAuditRate(cmd: ShipperCommand, rate: number, seconds: number): Promise<void> {
  const name = `rate ${rate}/s → loki, disk`;
  const receiver = await startReceiver(cmd.root);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  try {
    const cliArgs = [
      '--loki',
      receiver.url,
      '--data-dir',
      path.join(dataDir, 'data'),
      '--dead-letter',
      path.join(dataDir, 'dead.ndjson'),
    ];
    const waitMs = batchWaitMs(cmd, cliArgs);
    const shipper = startShipper(cmd.cli, cmd.nodeFlags, cliArgs, {}, 'pipe');
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(cmd.root, 'bench', 'paced-writer.ts'), String(rate), String(seconds)],
      { stdio: ['ignore', shipper.stdin, 'pipe'] },
    );
    const writerStderr = writer.stderr as Readable; // a pipe (stdio above); the typings cannot tell
    let writerErr = '';
    writerStderr.on('data', (d: Buffer) => (writerErr += d.toString()));
    /** The writer's JSON lines on stderr: {startedAt} first, {lines, seconds, maxLateMs} at the end. */
    const writerSays = <T>(key: string) =>
      new Promise<T>((resolve, reject) => {
        const look = () => {
          for (const l of writerErr.split('\n')) if (l.startsWith(`{"${key}"`)) resolve(JSON.parse(l) as T);
        };
        writerStderr.on('data', look);
        writer.once('exit', (code) => reject(new Error(`paced writer exited ${code}: ${writerErr}`)));
      });
    const writerStarted = writerSays<{ startedAt: number }>('startedAt');
    const writerDone = writerSays<{ lines: number; seconds: number; maxLateMs: number }>('lines');
    writerDone.catch(() => undefined);
    try {
      // Steady state: WARM_UP after the first line is written, and not before the first delivery.
      const { startedAt } = await writerStarted;
      await sleep(Math.max(0, startedAt + warmUpSeconds(seconds) * 1000 - epochMs()));
      while ((await receiver.count()).firstAt === undefined) {
        if (shipper.cpuSeconds() === undefined) throw new Error('wirety-ship exited');
        await sleep(50);
      }
      const since = epochMs();
      const cpu0 = shipper.cpuSeconds();
      const t0 = performance.now();
      const w = await writerDone;
      const cpu1 = shipper.cpuSeconds();
      const wallMs = performance.now() - t0;
      const d = await waitForDelivered(receiver, () => w.lines, shipper);
      const lat = await receiver.latency(since);
      const pct = cpuPercent(cpu0, cpu1, wallMs);
      const rss = shipper.peakRssMiB();
      const stop = await stopped(shipper);
      figures.rate100 = {
        ...(pct === undefined ? {} : { cpuPercent: pct }),
        p99Ms: lat.p99,
        batchWaitMs: waitMs ?? 1000,
        complete: d.complete,
      };
      report(
        name,
        `${cpuText(pct, wallMs, seconds)}  ${peakRss(name, rss)}  latency p50 ${lat.p50.toFixed(0)} / p99 ${lat.p99.toFixed(0)} / max ${lat.max.toFixed(0)} ms over ${lat.count} lines (batch wait ${waitMs === undefined ? '? (not in --check-config; 1000 assumed)' : `${waitMs} ms`})  ${w.lines} lines in ${w.seconds.toFixed(1)} s (writer at most ${w.maxLateMs.toFixed(0)} ms late), ${d.complete ? 'all delivered' : `ONLY ${d.events}/${w.lines} delivered (${d.reason ?? '?'})`}, ${stop}`,
      );
    } finally {
      writer.kill('SIGTERM');
      await shipper.stop(60_000);
    }
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function fullyIdle(cmd: ShipperCommand, seconds: number): Promise<void> {
  const name = 'idle, 3 HTTP sinks';
  const receiver = await startReceiver(cmd.root);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  try {
    const u = receiver.url;
    const shipper = startShipper(
      cmd.cli,
      cmd.nodeFlags,
      [
        '--loki',
        u,
        '--elasticsearch',
        u,
        '--splunk-hec',
        u,
        '--data-dir',
        path.join(dataDir, 'data'),
        '--dead-letter',
        path.join(dataDir, 'dead.ndjson'),
      ],
      { WIRETY_SHIP_SPLUNK_TOKEN: 'bench' },
      'pipe', // open, and nothing is ever written
    );
    try {
      // No delivery marks the end of start-up here, so the warm-up is longer than rate-100's.
      const warmUp = Math.min(10, seconds / 3);
      await sleep(warmUp * 1000);
      const cpu0 = shipper.cpuSeconds();
      const t0 = performance.now();
      await sleep((seconds - warmUp) * 1000);
      const cpu1 = shipper.cpuSeconds();
      const wallMs = performance.now() - t0;
      const pct = cpuPercent(cpu0, cpu1, wallMs);
      const rssNow = shipper.rssMiB();
      const peak = shipper.peakRssMiB();
      figures.idle = { ...(pct === undefined ? {} : { cpuPercent: pct }), peakRssMiB: peak };
      const stop = await stopped(shipper);
      report(
        name,
        `${cpuText(pct, wallMs, seconds)}  ${peakRss(name, peak)}, RSS at the end ${rssNow?.toFixed(0) ?? '?'} MiB  stdin open, nothing written for ${seconds} s, ${stop}`,
      );
    } finally {
      await shipper.stop(60_000);
    }
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
