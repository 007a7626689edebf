/**
 * The real pipeline (src/pipeline/pipeline.ts) inside the test process, configured exactly as the
 * CLI configures it (flags, variables and a YAML file through loadCommand, then preflight), but
 * with a fake clock, an in-memory stdin, a collected (or stuck) stdout and the JSON log lines the
 * CLI would print on stderr captured as text. Backoffs, Retry-After waits, batch deadlines and
 * shutdown_timeout then cost no real seconds: the test moves the clock (`advanceUntil`).
 *
 * What stays real: the journal on disk (in a temp directory that also holds the dead-letter file),
 * the HTTP transport and the test receivers (node:http on 127.0.0.1), so a run here exercises the
 * same code as `wirety-ship` on a pipe. Spawned-CLI tests (test/e2e/) keep what only a process
 * shows: exit codes, signals, kill -9 and the command-line surface.
 *
 * Time: `advanceUntil` lets real I/O run for a moment (a few ms), then jumps the clock to the next
 * pending deadline, until the condition holds. It does not jump while an HTTP request is in flight
 * (undici's diagnostics channels say when one starts and ends), so a backoff or shutdown_timeout
 * never passes during a round trip that takes real time; a request nothing answers (a receiver
 * that hangs, a gate the test holds) stops holding the clock after a quiet moment. As a second
 * guard the harness sets a long shutdown_timeout unless the test passes one: a test of
 * shutdown_timeout sets it and makes sure nothing can progress (a receiver that keeps failing, a
 * stdout nobody reads).
 */
// The config loader knows the sink and input kinds once they register (as the CLI does).
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import diagnostics from 'node:diagnostics_channel';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { loadCommand } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { createLogger } from '../../src/observe/logger.js';
import {
  startPipeline as startRealPipeline,
  type Pipeline,
  type PipelineResult,
} from '../../src/pipeline/pipeline.js';
import { preflight } from '../../src/pipeline/preflight.js';
import { logLines, summaryOf, type Summary } from './e2e-corpus.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

export interface HarnessOptions {
  /** Command-line flags, exactly as the CLI takes them. */
  readonly args?: readonly string[];
  /** Environment variables (WIRETY_SHIP_*) the configuration reads. */
  readonly env?: Readonly<Record<string, string>>;
  /** YAML configuration: written to ship.yaml in the run's directory and passed as --config. */
  readonly configFile?: string;
  /**
   * The directory of an earlier run (a restart): its journal and dead-letter file are used again,
   * and close() leaves it in place. By default each run gets a fresh temp directory.
   */
  readonly dir?: string;
  /** Share one clock across runs (a restart keeps the time moving forward). */
  readonly clock?: FakeClock;
  /**
   * stdout: collected by default; 'stuck' never takes a byte, like `| sleep 3600` once the pipe
   * is full; 'closed' fails every write with EPIPE, like `| head` after the reader left.
   */
  readonly stdout?: 'collect' | 'stuck' | 'closed';
}

export interface HarnessRun {
  /** The run's directory: XDG_STATE_HOME, so the journal and dead-letter file are under it. */
  readonly dir: string;
  readonly deadLetterPath: string;
  readonly config: Config;
  readonly clock: FakeClock;
  readonly pipeline: Pipeline;
  /** Writes to the pipeline's stdin. */
  write(text: string | Buffer): void;
  /** Writes the last text (if any) and closes stdin (end of input). */
  end(text?: string | Buffer): void;
  /** What the CLI would have printed on stderr so far (JSON log lines). */
  stderr(): string;
  /** The parsed log lines so far. */
  logs(): Record<string, unknown>[];
  /** What was written to stdout so far. */
  stdout(): Buffer;
  /** Lets real I/O run and moves the clock from deadline to deadline until `condition` holds. */
  advanceUntil(condition: () => boolean, what?: string): Promise<void>;
  /** Ends when the pipeline is done (moving the clock as needed): exit code, stats, summary. */
  finish(): Promise<HarnessResult>;
  /** Stops the pipeline if needed and removes the temp directory (unless it was given). */
  close(): Promise<void>;
}

export interface HarnessResult extends PipelineResult {
  readonly stderr: string;
  readonly summary: Summary;
  readonly stdout: Buffer;
  /** Virtual milliseconds from the moment finish() was called to the end of the run. */
  readonly elapsedMs: number;
}

/** Real time a run may take before advanceUntil gives up (the work itself is milliseconds). */
const REAL_LIMIT_MS = 30_000;
/** Real time given to I/O (HTTP, the disk) before each jump of the clock. */
const IO_TICK_MS = 3;

/** Real time after which requests still in flight (nothing answers them) no longer hold the clock. */
const STUCK_REQUEST_MS = 250;

/** HTTP requests the sinks have in flight, from undici's diagnostics channels (process-wide). */
const http = { inFlight: 0, changedAt: Date.now() };
const countRequests = (delta: number) => () => {
  http.inFlight = Math.max(0, http.inFlight + delta);
  http.changedAt = Date.now();
};
diagnostics.subscribe('undici:request:create', countRequests(+1));
diagnostics.subscribe('undici:request:trailers', countRequests(-1));
diagnostics.subscribe('undici:request:error', countRequests(-1));
const requestRunning = () => http.inFlight > 0 && Date.now() - http.changedAt < STUCK_REQUEST_MS;

/** A shutdown_timeout no real round trip can outrun while the clock jumps (see above). */
const LONG_SHUTDOWN_TIMEOUT = '1h';

export async function startPipeline(options: HarnessOptions = {}): Promise<HarnessRun> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'ws-harness-')));
  const ownsDir = options.dir === undefined;
  await mkdir(dir, { recursive: true });
  const clock = options.clock ?? createFakeClock();
  const startedAt = clock.now();
  const args = [...(options.args ?? [])];
  if (options.configFile !== undefined) {
    await writeFile(join(dir, 'ship.yaml'), options.configFile);
    args.push('--config', 'ship.yaml');
  }
  const mentionsTimeout =
    args.includes('--shutdown-timeout') || /^shutdown_timeout:/m.test(options.configFile ?? '');
  if (!mentionsTimeout) args.push('--shutdown-timeout', LONG_SHUTDOWN_TIMEOUT);

  const command = await loadCommand(
    args,
    { XDG_STATE_HOME: dir, ...options.env },
    { cwd: dir, hostname: 'test-host', home: dir, uid: 1000 },
  );
  if (command.kind !== 'run') throw new Error(`not a run command: ${command.kind}`);
  const config = command.config;
  const notReady = await preflight(config);
  if (notReady.length > 0) throw new Error(`cannot start: ${JSON.stringify(notReady)}`);

  let stderr = '';
  const logger = createLogger({
    level: config.log.level,
    format: 'json',
    write: (line) => (stderr += line),
    now: () => clock.now(),
  });
  const out: Buffer[] = [];
  const stdout = createStdout(options.stdout ?? 'collect', out);
  // objectMode: the reader gets each written chunk as it was written (a byte stream would hand
  // everything buffered over in one read).
  const input = new PassThrough({ objectMode: true });
  const pipeline = await startRealPipeline(config, {
    input,
    stdout,
    clock,
    logger,
    summaryFormat: 'json',
  });
  let result: PipelineResult | undefined;
  void pipeline.done.then((r) => (result = r)).catch(() => undefined);

  const advanceUntil = async (condition: () => boolean, what = String(condition)): Promise<void> => {
    const giveUpAt = Date.now() + REAL_LIMIT_MS;
    while (!condition()) {
      if (Date.now() > giveUpAt) {
        const sinks = JSON.stringify(Object.fromEntries(pipeline.stats.sinks));
        const time = `clock moved ${clock.now() - startedAt} ms, ${clock.pending()} sleeps pending, ${http.inFlight} requests in flight`;
        throw new Error(`never happened: ${what}\n${time}\nsinks: ${sinks}\nstderr:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, IO_TICK_MS));
      if (condition() || requestRunning()) continue;
      const next = clock.nextDeadline();
      if (next !== undefined) await clock.advance(Math.max(0, next - clock.now()));
    }
  };

  return {
    dir,
    deadLetterPath: config.dead_letter.path,
    config,
    clock,
    pipeline,
    write: (text) => writeInChunks(input, text),
    end: (text) => {
      if (text !== undefined) writeInChunks(input, text);
      input.end();
    },
    stderr: () => stderr,
    logs: () => logLines(stderr),
    stdout: () => Buffer.concat(out),
    advanceUntil,
    async finish() {
      const startedAt = clock.now();
      await advanceUntil(() => result !== undefined, 'the pipeline finished');
      const done = await pipeline.done;
      return {
        ...done,
        stderr,
        summary: summaryOf(stderr),
        stdout: Buffer.concat(out),
        elapsedMs: clock.now() - startedAt,
      };
    },
    async close() {
      if (result === undefined) {
        pipeline.stop('test over');
        input.end();
        await advanceUntil(() => result !== undefined, 'the pipeline stopped at close()').catch(
          () => undefined,
        );
      }
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A pipe hands its reader at most 64 KiB at a time: so does the harness's stdin. */
const PIPE_CHUNK_BYTES = 64 * 1024;

function writeInChunks(input: PassThrough, text: string | Buffer): void {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  for (let at = 0; at < bytes.length; at += PIPE_CHUNK_BYTES) {
    input.write(bytes.subarray(at, at + PIPE_CHUNK_BYTES));
  }
}

function createStdout(kind: 'collect' | 'stuck' | 'closed', out: Buffer[]): Writable {
  switch (kind) {
    case 'collect':
      return new Writable({
        write(chunk: Buffer, _encoding, callback) {
          out.push(chunk);
          callback();
        },
      });
    case 'stuck':
      // Takes one chunk and never calls back: every later write waits, like a full pipe.
      return new Writable({ highWaterMark: 1024, write: () => undefined });
    case 'closed':
      return new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
        },
      });
  }
}
