/**
 * Runs the built CLI (dist/cli.js) as a child process, the way users run it. Every child is
 * bounded in time (killed with SIGKILL past `timeoutMs`) and the result says whether that happened,
 * so a hung process fails its test instead of hanging the suite.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves when the process exits (or is killed at the time limit). */
  readonly result: Promise<CliResult>;
  /** Resolves when stderr so far matches `pattern` (a RegExp, or a test of the whole text). */
  waitForStderr(pattern: RegExp | ((stderr: string) => boolean), timeoutMs?: number): Promise<void>;
}

export interface CliOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
  /**
   * false: never read the child's stdout, like `| sleep 3600`: once the pipe and the stream's
   * buffer are full, the CLI's writes to stdout block. (result.stdout is then empty.)
   */
  readStdout?: boolean;
}

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', WIRETY_SHIP_LOG_FORMAT: 'json', ...options.env },
  });
  const out: Buffer[] = [];
  let stderr = '';
  const stderrWaiters: { matches: (stderr: string) => boolean; resolve: () => void }[] = [];
  if (options.readStdout !== false) child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...stderrWaiters]) {
      if (w.matches(stderr)) {
        stderrWaiters.splice(stderrWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stdin.on('error', () => undefined); // the CLI may exit before reading everything
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const result = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr, timedOut });
    });
  });
  return {
    child,
    result,
    waitForStderr: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
        if (matches(stderr)) return resolve();
        const t = setTimeout(
          () => reject(new Error(`stderr never matched ${String(pattern)}:\n${stderr}`)),
          timeoutMs,
        );
        stderrWaiters.push({
          matches,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
      }),
  };
}

/** Runs the CLI with `input` on stdin (then EOF) and waits for it to exit. */
export async function runCli(
  args: readonly string[],
  input: string | Buffer,
  options: CliOptions = {},
): Promise<CliResult> {
  const p = startCli(args, options);
  p.child.stdin.end(input);
  return p.result;
}

/**
 * Waits until reading has stalled short of `totalLines`: progress lines come only when something
 * changed (monitor/progress.ts), so input has stalled once lines were read and no progress line
 * came for `quietMs` (many progress intervals). Returns the last progress line's lines_read.
 */
export async function waitForStalledInput(
  cli: CliProcess,
  totalLines: number,
  { quietMs = 800, timeoutMs = 20_000 } = {},
): Promise<number> {
  const progress = /"msg":"progress","lines_read":(\d+)/g;
  let stderrNow = '';
  await cli.waitForStderr((stderr) => {
    stderrNow = stderr;
    return /"msg":"progress","lines_read":[1-9]/.test(stderr);
  }, timeoutMs);
  // Keeps stderrNow current until the summary (the end of the run).
  void cli
    .waitForStderr((stderr) => {
      stderrNow = stderr;
      return /"msg":"summary"/.test(stderr);
    }, 120_000)
    .catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  for (let quiet = 0, seen = [...stderrNow.matchAll(progress)].length; quiet < quietMs;) {
    if (Date.now() > deadline) throw new Error(`input never stalled:\n${stderrNow}`);
    await new Promise((r) => setTimeout(r, 100));
    const now = [...stderrNow.matchAll(progress)].length;
    quiet = now === seen ? quiet + 100 : 0;
    seen = now;
  }
  const last = Number([...stderrNow.matchAll(progress)].at(-1)![1]);
  if (last >= totalLines) throw new Error(`input did not stall: all ${totalLines} lines were read`);
  return last;
}
