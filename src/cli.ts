#!/usr/bin/env node
/**
 * wirety-ship's command line: argv + environment → config → pipeline → exit code.
 *
 * Exit codes (the table is src/errors.ts EXIT; documented in README.md, error codes in docs/errors.md):
 *   0   input read to its end (or stopped by a signal) and every event delivered or dead-lettered
 *   69  --check-config --online: a sink's receiver cannot be used as configured (src/check/)
 *   70  internal error (a bug: please report it)
 *   74  I/O: the machine is not ready to run it (another wirety-ship uses the data dir, data dir
 *       or dead-letter file not writable, metrics or Forward port taken; --check-config says the same), stdout
 *       failed while running (EIO, ENOSPC), or dead-letter records could not be written at shutdown
 *   75  stopped with events not yet delivered (kept in the journal for the next start, or
 *       dead-lettered where no later run would deliver them)
 *   78  configuration error, every problem at once (the key, the file and line or the flag or
 *       variable, and what to do), including a file the config names that is missing or unusable
 *   141 the reader closed stdout (`| head`): input stopped, like cat (pipeline/stdout-run.ts)
 *   130 / 143  a second SIGINT / SIGTERM: exit at once (the journal is already durable)
 *
 * Signals: SIGTERM, SIGINT and SIGHUP stop gracefully (stop reading, deliver for at most
 * shutdown_timeout, print the summary). SIGHUP does not reload the configuration: a restart does
 * that safely, since the journal carries everything over. A closing terminal may send SIGHUP more
 * than once, so only a second SIGINT or SIGTERM exits at once; further SIGHUPs are ignored.
 */
import v8 from 'node:v8';
import { systemClock } from './clock.js';
import { ConfigError, formatProblem } from './config/config-error.js';
import { ERRORS, EXIT, type ErrorCode } from './errors.js';
import type { Pipeline } from './pipeline/pipeline.js';
import { readVersion } from './version.js';

// The V8 heap policy (docs/PERFORMANCE.md, "Memory versus speed"). wirety-ship mostly runs as a
// sidecar or DaemonSet where RSS is what operators pay for, so the heap must stay small;
// --optimize-for-size did that but also trims the JIT, and cost ~30 % more CPU per event than
// these two, measured at the same peak RSS: the young generation stays at its initial 1 MiB semi-spaces (records that
// outlive a batch are promoted at once instead of being copied between ever larger semi-spaces),
// and the old generation grows at most 50 % past what the last full GC kept. Both apply at run
// time. Any heap flag on the node command line (`node --optimize-for-size …`,
// `node --no-optimize-for-size …`) leaves the whole choice to the caller.
const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'];
if (!process.execArgv.some((arg) => /optimize-for-size|semi-space|heap-growing/.test(arg))) {
  for (const flag of HEAP_FLAGS) v8.setFlagsFromString(flag);
}

const isHelp = (arg: string) => arg === '-h' || arg === '--help';
const isVersion = (arg: string) => arg === '-V' || arg === '--version';

/**
 * --help and --version, answered before the rest of the configuration layer loads: --version reads
 * package.json and nothing else, --help only the key declarations and commander (no YAML parser,
 * no ajv, no sink or input code). Same precedence as config/flags.ts parseArgs, whose text this is:
 * either wins over everything else on the line, help first (test/e2e/light-start.test.ts).
 */
async function answerEarly(argv: readonly string[]): Promise<string | undefined> {
  if (argv.some(isHelp)) {
    // In this order, as for a run: the order of registration is the order of the flags.
    const { parseArgs } = await import('./config/flags.js');
    await import('./sinks/config-kinds.js');
    await import('./sources/config-kinds.js');
    const parsed = parseArgs(argv, await readVersion());
    return parsed.kind === 'help' ? parsed.text : undefined;
  }
  if (argv.some(isVersion)) return `wirety-ship ${await readVersion()}`;
  return undefined;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'check')
    return (await import('./commands/check-log.js')).runCheckLog(argv.slice(1), process);
  if (argv[0] === 'verify') return (await import('./commands/verify.js')).runVerify(argv.slice(1), process);
  const early = await answerEarly(argv);
  if (early !== undefined) {
    process.stdout.write(early.endsWith('\n') ? early : early + '\n');
    return EXIT.OK;
  }
  // Loaded only past --help and --version: the config layer and every sink's and input's declarations.
  // In this order: the order of registration is the order of the flags (and of --help).
  const { loadCommand } = await import('./config/load.js');
  await import('./sinks/config-kinds.js');
  await import('./sources/config-kinds.js');
  let command;
  try {
    command = await loadCommand(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`wirety-ship: configuration error: ${error.message}\n`);
      return EXIT.CONFIG;
    }
    throw error;
  }
  if (command.kind === 'help' || command.kind === 'version') {
    process.stdout.write(command.text.endsWith('\n') ? command.text : command.text + '\n');
    return EXIT.OK;
  }
  // Before anything is created: a start that cannot work leaves nothing behind.
  const { preflight } = await import('./pipeline/preflight.js');
  const notReady = await preflight(command.config);
  if (command.kind === 'check') {
    for (const warning of command.warnings)
      process.stderr.write(`wirety-ship: warning: ${formatProblem(warning)}\n`);
    process.stdout.write(command.summary.endsWith('\n') ? command.summary : command.summary + '\n');
    if (notReady.length > 0) {
      process.stderr.write(
        'wirety-ship: the configuration is valid, but a run could not start now:\n' +
          notReady.map((p) => `- ${p.key}: ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}\n`).join(''),
      );
      return EXIT.IO;
    }
    if (!command.online) return EXIT.OK;
    // --online: each sink's receiver is asked, with requests that store nothing (src/check/).
    const { runOnlineCheck } = await import('./check/run-check.js');
    const online = await runOnlineCheck(command.config, { nowMs: systemClock.now() });
    process.stdout.write(online.text);
    return online.exitCode;
  }

  const config = command.config;
  const format = config.log.format === 'auto' ? (process.stderr.isTTY ? 'text' : 'json') : config.log.format;
  const { createLogger } = await import('./observe/logger.js');
  const logger = createLogger({ level: config.log.level, format });
  for (const { where, key, message, hint } of command.warnings) {
    logger.warn(`configuration: ${where.text}: ${key ? `${key}: ` : ''}${message}`, hint ? { hint } : {});
  }
  if (notReady.length > 0) {
    for (const p of notReady)
      logger.error(`cannot start: ${p.message}`, {
        code: 'WS_ERR_NOT_READY' satisfies ErrorCode,
        key: p.key,
        ...(p.hint ? { hint: p.hint } : {}),
      });
    return ERRORS.WS_ERR_NOT_READY.exit;
  }

  // Signal handlers go in before the (slow) start, so a signal during it is a graceful stop too.
  let running: Pipeline | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopSignal) {
      stopSignal = signal;
      running?.stop(signal);
    } else if (signal === 'SIGHUP') {
      logger.info('SIGHUP ignored: already stopping (a second SIGINT or SIGTERM exits at once)');
    } else {
      logger.warn('second signal: exiting now; undelivered events stay in the journal', { signal });
      process.exit(signal === 'SIGINT' ? EXIT.SECOND_SIGINT : EXIT.SECOND_SIGTERM);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  // Logs are best effort: a terminal that went away (EIO) must not crash a graceful stop.
  process.stderr.on('error', () => undefined);

  // Loaded only to run: --help, --version and --check-config stay light.
  const [{ startPipeline }, { hintIfTerminal }, { createProgressReporter }] = await Promise.all([
    import('./pipeline/pipeline.js'),
    import('./stdin-hint.js'),
    import('./monitor/progress.js'),
  ]);
  try {
    running = await startPipeline(config, {
      input: process.stdin,
      stdout: process.stdout,
      clock: systemClock,
      logger,
      summaryFormat: format,
      // The node a DaemonSet pod runs on (downward API spec.nodeName), for file inputs' metadata.
      ...(process.env.NODE_NAME ? { nodeName: process.env.NODE_NAME } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(`configuration error: ${error.message}`, { code: error.code });
      return ERRORS[error.code].exit;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'WS_ERR_LOCKED') {
      logger.error(`cannot start: ${(error as Error).message}`, { code, key: 'buffer.data_dir' });
      return ERRORS[code].exit;
    }
    if (code) {
      logger.error('cannot start: an I/O error', {
        code: 'WS_ERR_STARTUP_IO' satisfies ErrorCode,
        errno: code,
        error: (error as Error).message,
      });
      return ERRORS.WS_ERR_STARTUP_IO.exit;
    }
    throw error;
  }
  if (stopSignal) running.stop(stopSignal);

  const pipeline = running;
  if (config.inputs.some((i) => i.type === 'stdin'))
    hintIfTerminal(process.stdin, { format, logger, write: (text) => process.stderr.write(text) });
  // Progress lines only when something changed since the last one (monitor/progress.ts).
  const reporter = createProgressReporter({
    stats: pipeline.stats,
    sinks: () => pipeline.progress(),
    logger,
    format,
  });
  const progress =
    config.log.progress_interval_ms > 0
      ? setInterval(() => reporter.report(), config.log.progress_interval_ms).unref()
      : undefined;
  const result = await pipeline.done;
  if (progress) clearInterval(progress);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `wirety-ship: internal error (WS_ERR_INTERNAL): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(ERRORS.WS_ERR_INTERNAL.exit);
  },
);
