#!/usr/bin/env node
/**
 * wirety-ship's command line: argv + environment → config → pipeline → exit code.
 *
 * Exit codes (documented in README.md):
 *   0   input read to its end (or stopped) and every event delivered or dead-lettered with a reason
 *   70  internal error (a bug: please report it)
 *   74  an I/O error at startup (data dir or dead-letter file not writable, metrics port taken)
 *   75  stopped with events not yet delivered (kept in the journal for the next start)
 *   78  configuration error (the message names the key, the file and what to do)
 *   130 / 143  a second SIGINT / SIGTERM: exit at once (the journal is already durable)
 */
import v8 from 'node:v8';
import { systemClock } from './clock.js';
import { ConfigError } from './config/config-error.js';
import { loadCommand } from './config/load.js';
import { createLogger } from './observe/logger.js';
import { createProgressReporter } from './observe/progress.js';

// Memory over speed: V8 then grows its heap far less eagerly. wirety-ship mostly runs as a
// sidecar or DaemonSet where RSS is what operators pay for, and audit streams are modest; the
// benchmark (docs/PERFORMANCE.md) shows both sides of the trade. `node --no-optimize-for-size`
// (or `node --optimize-for-size`, as the Docker image runs it) leaves the choice to the caller.
if (!process.execArgv.some((arg) => arg.includes('optimize-for-size'))) {
  v8.setFlagsFromString('--optimize-for-size');
}

export const EXIT_INTERNAL = 70;
export const EXIT_IO = 74;
export const EXIT_CONFIG = 78;

async function main(): Promise<number> {
  let command;
  try {
    command = await loadCommand(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`wirety-ship: configuration error: ${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
  if (command.kind === 'help' || command.kind === 'version') {
    process.stdout.write(command.text.endsWith('\n') ? command.text : command.text + '\n');
    return 0;
  }
  if (command.kind === 'check') {
    process.stdout.write(command.summary.endsWith('\n') ? command.summary : command.summary + '\n');
    return 0;
  }

  const config = command.config;
  const format = config.log.format === 'auto' ? (process.stderr.isTTY ? 'text' : 'json') : config.log.format;
  const logger = createLogger({ level: config.log.level, format });

  // Loaded only to run: --help, --version and --check-config stay light.
  const { startPipeline } = await import('./pipeline/pipeline.js');
  let pipeline;
  try {
    pipeline = await startPipeline(config, {
      input: process.stdin,
      stdout: process.stdout,
      clock: systemClock,
      logger,
      summaryFormat: format,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(`configuration error: ${error.message}`);
      return EXIT_CONFIG;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code) {
      logger.error('cannot start: an I/O error', { code, error: (error as Error).message });
      return EXIT_IO;
    }
    throw error;
  }

  const running = pipeline;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn('second signal: exiting now; undelivered events stay in the journal', { signal });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    running.stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const reporter = createProgressReporter({
    stats: running.stats,
    sinks: () => running.progress(),
    logger,
    format,
  });
  const progress =
    config.log.progress_interval_ms > 0
      ? setInterval(() => reporter.report(), config.log.progress_interval_ms).unref()
      : undefined;
  const result = await running.done;
  if (progress) clearInterval(progress);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `wirety-ship: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(EXIT_INTERNAL);
  },
);
