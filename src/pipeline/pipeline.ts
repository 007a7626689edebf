/**
 * Wires inputs → classifier → journal → one delivery worker per sink, and owns the start and stop
 * order. This file is the one place the shutdown order is written down:
 *
 *   start: dead-letter file → journal → sinks → metrics server → inputs (a Forward listener
 *          binds) → workers → one ingest loop per input, sharing classifier, journal, dead-letter
 *          file and stats
 *   stop:  every input has ended: stdin at EOF; on a signal (or a closed stdout) each input stops
 *          (a Forward listener stops accepting and hands over what it received, acking what is
 *          journaled; a file input stops reading, its positions saved for what is stored); a file
 *          or Forward input ends only on a signal → inputs closed → journal.endInput() →
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
import { eventProjectorFor } from './event-projection.js';
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
import { createInputs, type RunningInput } from './create-inputs.js';
import { readIntegrityKey } from '../config/integrity.js';
import {
  createCheckpoints,
  withCheckpoints,
  type CheckpointCounts,
  type Checkpoints,
} from './checkpoints.js';
import { runIngest } from './ingest.js';
import { deadLetterLossExit, settleLeftovers, waitForWorkers } from './shutdown.js';
import { startStdoutFresh, watchStdout } from './stdout-run.js';

export interface PipelineDeps {
  /** Standard input, read by a `stdin` input (the default when `inputs:` names none). */
  readonly input: AsyncIterable<Buffer | string>;
  /** NODE_NAME: the node name added to file inputs' Kubernetes metadata. */
  readonly nodeName?: string;
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
  /** Integrity on: the checkpoint counters /metrics reads. */
  readonly checkpointCounts?: CheckpointCounts;
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
  const integrityKey = await readIntegrityKey(config.integrity);
  const log = await openEventLog(config.buffer, sinkNames, {
    clock,
    logger,
    ...(integrityKey ? { integrityKey } : {}),
    project: eventProjectorFor(config.sinks),
    onLostDamaged: (sinkName, records) => {
      sinkStats(stats, sinkName).lostDamaged += records;
    },
  });
  opened.push(() => log.close());
  const checkpointCounts = log.integrity ? { made: 0, fileFailed: 0 } : undefined;
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
  if (!config.metrics.address) return { deadLetter, log, out, runtimes, cursors, checkpointCounts };

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
    ...(checkpointCounts ? { checkpoints: checkpointCounts } : {}),
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
  return {
    deadLetter,
    log,
    out,
    runtimes,
    cursors,
    health,
    observeRequest: metrics.observeRequest,
    checkpointCounts,
  };
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
  const checkpoints: Checkpoints | undefined = log.integrity
    ? createCheckpoints({
        integrity: log.integrity,
        every: config.integrity.checkpoint_every,
        intervalMs: config.integrity.checkpoint_interval_ms,
        file: config.integrity.checkpoint_file,
        clock,
        logger,
        ...(parts.checkpointCounts ? { counts: parts.checkpointCounts } : {}),
      })
    : undefined;
  const ingestLog = checkpoints ? withCheckpoints(log, checkpoints) : log;
  const isStdout = (name: string) => isStdoutSink(config, name);
  const stdoutSinks = stdoutSinksOf(config, cursors);

  // The dead-letter `source` of per-sink records, whose events come back from the journal.
  const sourceLabel = config.inputs.length === 1 ? config.inputs[0]!.type : 'journal';
  const stopReading = new AbortController();
  const stopDelivering = new AbortController();
  let inputs: RunningInput[];
  try {
    inputs = await createInputs(config, {
      stdin: deps.input,
      ...(config.input.passthrough
        ? { passthrough: (chunk: Buffer) => out.write(chunk, stopReading.signal) }
        : {}),
      stats,
      clock,
      logger,
      ...(deps.nodeName ? { nodeName: deps.nodeName } : {}),
    });
  } catch (error) {
    await Promise.all(runtimes.map((rt) => rt.close()));
    await log.close();
    await deadLetter.close();
    await health?.close();
    throw error;
  }
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
      source: sourceLabel,
    }).run(isStdout(rt.name) ? stdoutSignal : stopDelivering.signal);
  });
  logger.info('wirety-ship started', {
    input: inputs
      .map(({ input, stats: s }) => (input.name === s.type ? s.type : `${input.name} (${s.type})`))
      .join(', '),
    buffer: config.buffer.type,
    ...(config.buffer.type === 'disk' ? { data_dir: config.buffer.data_dir } : {}),
    sinks: runtimes.map((rt) => `${rt.name} (${rt.codec.kind})`).join(', ') || 'none (passthrough only)',
    dead_letter: config.dead_letter.path,
  });

  let signalled = false;
  const done = (async (): Promise<PipelineResult> => {
    let readToEnd = false;
    const classify = createClassifier(undefined, { maxDepth: config.input.max_depth });
    try {
      // One loop per input; "end of input" is every input ended. A loop that fails stops the
      // others, and its error surfaces once they have all returned (nothing runs past the close).
      const settled = await Promise.allSettled(
        inputs.map(({ input, stats: inputStats }) =>
          runIngest({
            input,
            inputStats,
            maxLineBytes: config.input.max_line_bytes,
            classify,
            audit: config.audit,
            log: ingestLog,
            deadLetter,
            stats,
            logger,
            now: () => clock.now(),
            signal: stopReading.signal,
          }).catch((error: unknown) => {
            stopReading.abort(error);
            throw error;
          }),
        ),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      readToEnd = settled.every((r) => r.status === 'fulfilled' && r.value);
    } finally {
      // A file input saves its positions here, a Forward listener ends its connections.
      await Promise.all(inputs.map(({ input }) => input.close().catch(() => undefined)));
      // The last checkpoint goes after the last append and before endInput, so sinks deliver it.
      await checkpoints?.finish(stopReading.signal);
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
      source: sourceLabel,
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
