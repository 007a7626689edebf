/**
 * The built CLI run as a long-lived process, for the inputs that do not end at EOF (a tailed
 * file, a Forward listener): it runs until the bench has seen every event reach the receiver,
 * then gets SIGTERM and drains. While it runs: peak RSS (VmHWM) every 20 ms, CPU time
 * (utime + stime from /proc/<pid>/stat) on demand, and its JSON log lines on stderr.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningShipper {
  readonly pid: number;
  /** performance.now() at spawn. */
  readonly startedAt: number;
  readonly exited: Promise<number | null>;
  /** Its stdin, when started with `stdin: 'pipe'` (kept open until the bench ends it). */
  readonly stdin: Writable | null;
  peakRssMiB(): number;
  /** Resident memory now (VmRSS); undefined once the process is gone. */
  rssMiB(): number | undefined;
  /** utime + stime so far, in seconds; undefined once the process is gone. */
  cpuSeconds(): number | undefined;
  /** The first JSON log line whose `msg` is `message` (waits for it, bounded in time). */
  waitForLog(message: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code and how long it took. */
  stop(timeoutMs: number): Promise<{ exitCode: number | null; seconds: number }>;
  stderrTail(): string;
}

let clockTicks: number | undefined;
/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 almost everywhere). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readStatusKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // exited
  }
}

export const readPeakRssKiB = (pid: number) => readStatusKiB(pid, 'VmHWM');

export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of the whole line (utime, stime) are 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

export function startShipper(
  cli: string,
  nodeFlags: readonly string[],
  cliArgs: readonly string[],
  env: Record<string, string> = {},
  stdin: 'ignore' | 'pipe' = 'ignore',
): RunningShipper {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, cli, ...cliArgs], {
    stdio: [stdin, 'ignore', 'pipe'],
    env: { ...process.env, WIRETY_SHIP_LOG_LEVEL: 'warn', WIRETY_SHIP_LOG_FORMAT: 'json', ...env },
  });
  const pid = child.pid as number;
  child.stdin?.on('error', () => undefined); // EPIPE once it has exited
  let stderr = '';
  const logLines: Record<string, unknown>[] = [];
  let partial = '';
  // stderr is always a pipe here (the stdio array above); the typings cannot tell.
  (child.stderr as Readable).on('data', (d: Buffer) => {
    const text = d.toString();
    stderr = (stderr + text).slice(-20_000);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not a JSON log line */
      }
    }
  });
  let peakKiB = 0;
  const poll = setInterval(() => {
    peakKiB = Math.max(peakKiB, readPeakRssKiB(pid) ?? 0);
  }, 20);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearInterval(poll);
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  return {
    pid,
    startedAt,
    exited,
    stdin: child.stdin,
    peakRssMiB: () => Math.max(peakKiB, readPeakRssKiB(pid) ?? 0) / 1024,
    rssMiB: () => {
      const kib = readStatusKiB(pid, 'VmRSS');
      return kib === undefined ? undefined : kib / 1024;
    },
    cpuSeconds: () => readCpuSeconds(pid),
    async waitForLog(message, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = logLines.find((l) => l.msg === message);
        if (found) return found;
        if (exitCode !== undefined)
          throw new Error(`wirety-ship exited ${exitCode} before logging "${message}"`);
        if (performance.now() > deadline) throw new Error(`no "${message}" log line within ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    async stop(timeoutMs) {
      const from = performance.now();
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return { exitCode: await exited, seconds: (performance.now() - from) / 1000 };
    },
    stderrTail: () => stderr,
  };
}

export interface Counter {
  count(): Promise<{ events: number; requests: number }>;
}

export interface Delivered {
  readonly events: number;
  readonly requests: number;
  /** Seconds from the shipper's spawn to the poll that saw `expected` events (or gave up). */
  readonly seconds: number;
  readonly complete: boolean;
  /** Why it gave up, when not complete. */
  readonly reason?: string;
}

/**
 * Polls the receiver every 50 ms until it has counted `expected()` events (undefined while not
 * yet known, e.g. until a writer has finished). Gives up when the shipper exits, or when the
 * count has not moved for `stallMs`.
 */
export async function waitForDelivered(
  receiver: Counter,
  expected: () => number | undefined,
  shipper: RunningShipper,
  stallMs = 30_000,
): Promise<Delivered> {
  let exitCode: number | null | undefined;
  void shipper.exited.then((code) => (exitCode = code));
  let last = -1;
  let lastMoved = performance.now();
  for (;;) {
    const got = await receiver.count();
    const now = performance.now();
    const seconds = (now - shipper.startedAt) / 1000;
    const want = expected();
    if (want !== undefined && got.events >= want) return { ...got, seconds, complete: true };
    if (got.events !== last) {
      last = got.events;
      lastMoved = now;
    }
    if (exitCode !== undefined)
      return { ...got, seconds, complete: false, reason: `wirety-ship exited ${exitCode}` };
    if (now - lastMoved > stallMs)
      return { ...got, seconds, complete: false, reason: `no new event for ${stallMs / 1000} s` };
    await sleep(50);
  }
}

/** Runs `node --import tsx bench/<script> ...args` and resolves with the JSON it prints at the end. */
export function runBenchScript<T>(root: string, script: string, args: readonly string[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-5_000)));
  return new Promise<T>((resolve, reject) =>
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop() ?? 'null') as T);
      else reject(new Error(`bench/${script} exited ${code}: ${err.trim()}`));
    }),
  );
}
