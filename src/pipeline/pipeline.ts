/**
 * Wires input → classifier → journal → one delivery worker per sink, and owns the start and stop
 * order. This file is the one place the shutdown order is written down:
 *
 *   start: dead-letter file → journal → sinks → metrics server → workers → ingest
 *   stop:  ingest stops reading (EOF, a signal, or a closed stdout) → journal.endInput() →
 *          workers deliver until
 *            EOF:    everything is final, or no sink made progress for shutdown_timeout
 *            signal: shutdown_timeout has passed since the signal
 *          → workers aborted (every wait ends, a stuck stdout too; uncommitted events stay in
 *            the journal for the next start, or, where no later run would deliver them (memory
 *            buffer, stdout), are written to the dead-letter file, so they are not lost)
 *          → sinks closed → journal closed → dead-letter file closed → metrics server closed
 *
 * Exit codes (also in README): 0 everything read was delivered or dead-lettered with a reason;
 * 75 events were left undelivered; else 141 / 74 when stdout was closed / failed (stdout-run.ts);
 * 74 above all when records meant for the dead-letter file could not be written (shutdown.ts).
 */
import type { Writable } from 'node:stream';
import { createClassifier } from '../audit/classify.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import { createFileDeadLetter, type FileDeadLetter } from '../dead-letter/file-dead-letter.js';
import { createSinkWorker } from '../deliver/sink-worker.js';
import type { EventLog, SinkCursor } from '../journal/event-log.js';
import { openEventLog } from '../journal/open-event-log.js';
import type { HealthServer } from '../monitor/health-server.js';
import { instrumentTransport } from '../monitor/instrument-transport.js';
import { linkedAbort } from '../linked-abort.js';
import type { Logger } from '../observe/logger.js';
import { readiness } from '../monitor/readiness.js';
import { reportResume } from '../monitor/resume-report.js';
import { createStats, sinkStats, type ReplyClass, type Stats } from '../observe/stats.js';
import { formatSummary, summaryFields, type SinkProgress } from '../monitor/summary.js';
import { createSinkRuntime } from '../sinks/create-sink.js';
import type { SinkRuntime } from '../sinks/sink-runtime.js';
import { createOutputStream, type OutputStream } from '../sinks/stdout/output-stream.js';
import { EXIT } from '../errors.js';
import { readVersion } from '../version.js';
import { runIngest } from './ingest.js';
import { deadLetterLossExit, settleLeftovers, waitForWorkers } from './shutdown.js';
import { startStdoutFresh, watchStdout } from './stdout-run.js';

export interface PipelineDeps {
  readonly input: AsyncIterable<Buffer | string>;
  readonly stdout: Writable;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
  /** How the summary is printed: a text line or JSON fields through the logger. */
  readonly summaryFormat: 'text' | 'json';
  readonly writeSummary?: (line: string) => void;
}

export interface PipelineResult {
  readonly exitCode: number;
  readonly undelivered: ReadonlyMap<string, number>;
  readonly stats: Stats;
}

export interface Pipeline {
  readonly done: Promise<PipelineResult>;
  /** Per sink: events journaled but not yet final, for the progress line. */
  progress(): SinkProgress[];
  /** Stop reading and deliver for at most shutdown_timeout (a signal). Idempotent. */
  stop(reason: string): void;
  readonly metricsAddress?: string;
  readonly stats: Stats;
}

/** What a run opens before it starts working. */
interface Opened {
  readonly deadLetter: FileDeadLetter;
  readonly log: EventLog;
  readonly out: OutputStream;
  readonly runtimes: readonly SinkRuntime[];
  readonly cursors: ReadonlyMap<string, SinkCursor>;
  readonly health?: HealthServer;
  readonly observeRequest?: (sink: string, seconds: number, outcome: ReplyClass) => void;
}

/**
 * Opens the dead-letter file, the journal, the sinks and the metrics server, in that order. Each
 * part's close goes on `opened` as soon as it exists, so a start that fails half-way closes what
 * it opened (the journal's lock released, its seq reservation settled: the next start is clean).
 */
async function openParts(
  config: Config,
  deps: PipelineDeps,
  stats: Stats,
  opened: (() => Promise<void>)[],
): Promise<Opened> {
  const { clock, logger } = deps;
  const sinkNames = config.sinks.map((s) => s.name);
  const deadLetter = await createFileDeadLetter({
    path: config.dead_letter.path,
    maxBytes: config.dead_letter.max_bytes,
    maxFiles: config.dead_letter.max_files,
    fsync: config.buffer.type === 'memory' ? 'never' : config.buffer.fsync,
    fsyncIntervalMs: config.buffer.fsync_interval_ms,
    clock,
    logger,
  });
  opened.push(() => deadLetter.close());
  const log = await openEventLog(config.buffer, sinkNames, {
    clock,
    logger,
    onLostDamaged: (sinkName, records) => {
      sinkStats(stats, sinkName).lostDamaged += records;
    },
  });
  opened.push(() => log.close());
  const out = createOutputStream(deps.stdout);
  const runtimes: SinkRuntime[] = [];
  for (const sink of config.sinks) {
    const runtime = createSinkRuntime(sink, { clock, logger, stdout: out });
    runtimes.push(runtime);
    opened.push(() => runtime.close());
  }
  const cursors = new Map<string, SinkCursor>(sinkNames.map((name) => [name, log.cursor(name)]));
  await startStdoutFresh(stdoutSinksOf(config, cursors), logger);
  await reportResume(cursors, logger);
  if (!config.metrics.address) return { deadLetter, log, out, runtimes, cursors };

  // prom-client and the HTTP server load only when asked for (they cost ~10 MiB of RSS).
  const { createMetrics } = await import('../monitor/metrics.js');
  const { startHealthServer } = await import('../monitor/health-server.js');
  const metrics = createMetrics({
    stats,
    sinks: sinkNames,
    version: await readVersion(),
    log,
    journalMaxBytes: config.buffer.max_bytes,
    lag: () => new Map([...cursors].map(([name, c]) => [name, c.lag()])),
    now: () => clock.now(),
  });
  const health = await startHealthServer(config.metrics.address, metrics, () =>
    readiness({
      stats,
      log,
      now: clock.now(),
      authFailureUnreadyMs: config.metrics.auth_failure_unready_ms,
    }),
  );
  opened.push(() => health.close());
  logger.info('metrics and health endpoints listening', {
    address: health.address,
    paths: '/metrics /healthz /readyz',
  });
  return { deadLetter, log, out, runtimes, cursors, health, observeRequest: metrics.observeRequest };
}

const isStdoutSink = (config: Config, name: string) =>
  config.sinks.some((s) => s.name === name && s.type === 'stdout');

function stdoutSinksOf(config: Config, cursors: ReadonlyMap<string, SinkCursor>) {
  return [...cursors]
    .filter(([name]) => isStdoutSink(config, name))
    .map(([name, cursor]) => ({ name, cursor }));
}

export async function startPipeline(config: Config, deps: PipelineDeps): Promise<Pipeline> {
  const { clock, logger } = deps;
  const stats = createStats();
  const opened: (() => Promise<void>)[] = [];
  let parts: Opened;
  try {
    parts = await openParts(config, deps, stats, opened);
  } catch (error) {
    // A failed start leaves nothing behind: closed in reverse, each one even if another fails.
    for (const close of opened.reverse()) {
      await close().catch((closeError: unknown) =>
        logger.error('closing after a failed start', { error: String(closeError) }),
      );
    }
    throw error;
  }
  const { deadLetter, log, out, runtimes, cursors, health, observeRequest } = parts;
  const isStdout = (name: string) => isStdoutSink(config, name);
  const stdoutSinks = stdoutSinksOf(config, cursors);

  const stopReading = new AbortController();
  const stopDelivering = new AbortController();
  const stdout = watchStdout({
    out,
    sinks: stdoutSinks,
    workers: () => workers.filter((_, i) => isStdout(runtimes[i]!.name)),
    stopReading,
    stats,
    logger,
  });
  // Lives as long as the run: never disposed.
  const stdoutSignal = linkedAbort(stopDelivering.signal, stdout.signal).signal;
  const workers: Promise<void>[] = runtimes.map((rt) => {
    sinkStats(stats, rt.name);
    if (rt.startupCheck) void rt.startupCheck(stopDelivering.signal).catch(() => undefined);
    return createSinkWorker({
      runtime: observeRequest
        ? {
            ...rt,
            transport: instrumentTransport(rt.transport, (s, outcome) => observeRequest(rt.name, s, outcome)),
          }
        : rt,
      cursor: cursors.get(rt.name)!,
      clock,
      ...(deps.random ? { random: deps.random } : {}),
      deadLetter,
      stats,
      logger,
      source: config.input.type,
    }).run(isStdout(rt.name) ? stdoutSignal : stopDelivering.signal);
  });
  logger.info('wirety-ship started', {
    input: config.input.type,
    buffer: config.buffer.type,
    ...(config.buffer.type === 'disk' ? { data_dir: config.buffer.data_dir } : {}),
    sinks: runtimes.map((rt) => `${rt.name} (${rt.codec.kind})`).join(', ') || 'none (passthrough only)',
    dead_letter: config.dead_letter.path,
  });

  let signalled = false;
  const done = (async (): Promise<PipelineResult> => {
    let readToEnd = false;
    try {
      readToEnd = await runIngest({
        input: deps.input,
        sourceName: config.input.type,
        maxLineBytes: config.input.max_line_bytes,
        classify: createClassifier(undefined, { maxDepth: config.input.max_depth }),
        audit: config.audit,
        log,
        deadLetter,
        stats,
        logger,
        now: () => clock.now(),
        ...(config.input.passthrough
          ? { passthrough: (chunk: Buffer) => out.write(chunk, stopReading.signal) }
          : {}),
        signal: stopReading.signal,
      });
    } finally {
      log.endInput();
    }
    logger.info(
      readToEnd ? 'end of input: delivering what is left' : 'stopped reading: delivering what is left',
      {
        shutdown_timeout_ms: config.shutdown_timeout_ms,
      },
    );

    await waitForWorkers(
      workers,
      stopDelivering,
      () => signalled,
      stats,
      config.shutdown_timeout_ms,
      clock,
      logger,
    );

    await stdout.finish();
    const { undelivered, total: left } = await settleLeftovers({
      cursors,
      perRun: (name) =>
        config.buffer.type === 'memory'
          ? 'buffer: memory keeps nothing across restarts'
          : isStdout(name)
            ? 'stdout is per run: a later run does not print it'
            : undefined,
      deadLetter,
      stats,
      source: config.input.type,
      logger,
      stop: stopDelivering.signal,
    });

    await Promise.all(runtimes.map((rt) => rt.close()));
    await log.close();
    await deadLetter.close();
    await health?.close();

    const progress: SinkProgress[] = [...undelivered].map(([name, pending]) => ({ name, pending }));
    if (deps.summaryFormat === 'json') logger.info('summary', summaryFields(stats, progress));
    else
      (deps.writeSummary ?? ((l: string) => process.stderr.write(l + '\n')))(
        `wirety-ship summary: ${formatSummary(stats, progress)}`,
      );
    const exitCode =
      deadLetterLossExit(stats, logger) ?? (left > 0 ? EXIT.UNDELIVERED : (stdout.exitCode() ?? EXIT.OK));
    return { exitCode, undelivered, stats };
  })();

  return {
    done,
    stats,
    progress: () => [...cursors].map(([name, c]) => ({ name, pending: c.lag().events })),
    ...(health ? { metricsAddress: health.address } : {}),
    stop(reason) {
      if (signalled) return;
      signalled = true;
      logger.info('shutting down', { reason, shutdown_timeout_ms: config.shutdown_timeout_ms });
      stopReading.abort(new Error(reason));
    },
  };
}
