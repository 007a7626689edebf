/**
 * A node process that ends at EOF (the shipper fed stdin, the floor), run to its exit: the
 * corpus is piped into its stdin, as with `wirety-server | wirety-ship` (a file descriptor would
 * let it read faster than any real writer can produce), and its peak RSS (VmHWM) is read from
 * /proc every 20 ms while it runs.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { epochMs } from './epoch-ms.js';
import { readPeakRssKiB } from './running-shipper.js';

export interface ExitedRun {
  /** Wall time from spawn to exit. */
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
  /** Wall-clock ms (bench/epoch-ms.ts) just before the spawn. */
  readonly spawnedAt: number;
  /** Its stdout, when `captureStdout`. */
  readonly stdout: string;
  /** The end of its stderr. */
  readonly stderrTail: string;
}

export interface RunOptions {
  /** Arguments of `node`: flags, the script, its arguments. */
  readonly nodeArgs: readonly string[];
  /** Piped into stdin; without it stdin is /dev/null (EOF at once). */
  readonly stdinPath?: string;
  readonly env?: Record<string, string>;
  readonly captureStdout?: boolean;
}

export async function runToExit(options: RunOptions): Promise<ExitedRun> {
  const spawnedAt = epochMs();
  const started = performance.now();
  const child = spawn(process.execPath, options.nodeArgs, {
    stdio: [options.stdinPath ? 'pipe' : 'ignore', options.captureStdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, WIRETY_SHIP_LOG_LEVEL: 'warn', ...options.env },
  });
  if (options.stdinPath && child.stdin) {
    child.stdin.on('error', () => undefined);
    createReadStream(options.stdinPath).pipe(child.stdin);
  }
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const pid = child.pid as number;
  let peakKiB = 0;
  const poll = setInterval(() => (peakKiB = Math.max(peakKiB, readPeakRssKiB(pid) ?? 0)), 20);
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(poll);
  if (options.captureStdout) await closed; // 'exit' may come before the last of stdout
  return {
    seconds,
    peakRssMiB: peakKiB / 1024,
    exitCode,
    spawnedAt,
    stdout,
    stderrTail: stderr,
  };
}
