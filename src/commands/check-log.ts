/**
 * `wirety-ship check [FILE …]`: the shipper's classifier over captured logs, offline (CI, incident
 * review). Thin: arguments → src/check-log/ → report → exit code.
 *
 * Exit codes: 0 no audit line is invalid; 1 some audit line is invalid (the shipper would
 * dead-letter it); 78 (EXIT.CONFIG) a bad flag or value, as for the shipper's own flags;
 * 74 (EXIT.IO) a file that cannot be opened or read. A usage error or an unreadable file prints
 * no report: counts of a partly read input would mislead.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS } from '../config/defaults.js';
import { formatSize, parseSize } from '../config/units.js';
import { formatJson, formatText, passes } from '../check-log/report.js';
import {
  checkLogs,
  STDIN_NAME,
  UnreadableInputError,
  type CheckLogOptions,
} from '../check-log/run-check-log.js';
import { EXIT } from '../errors.js';

/** `check` found an invalid audit line (0 and 1 like `grep`/`diff`: scripts test it with `if`). */
export const EXIT_INVALID_LINES = 1;

/** What a command reads and writes: `process` is one. */
export interface CommandIo {
  readonly stdin: AsyncIterable<Buffer | string> & { readonly isTTY?: boolean };
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

const DEFAULT_MAX_LISTED = 1000;

export async function runCheckLog(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseCheckArgs(argv, io);
  if (typeof parsed === 'number') return parsed;
  const { files, options, json } = parsed;
  // A bare `wirety-ship check` in a terminal would otherwise wait silently for typed input.
  if (io.stdin.isTTY && (files.length === 0 || files.includes(STDIN_NAME)))
    io.stderr.write('wirety-ship check: reading standard input (end it with Ctrl-D; --help for files)\n');
  let tally;
  try {
    tally = await checkLogs(files, options, io.stdin);
  } catch (error) {
    if (error instanceof UnreadableInputError) {
      for (const p of error.problems)
        io.stderr.write(`wirety-ship check: cannot read ${p.source}: ${p.message}\n`);
      return EXIT.IO;
    }
    throw error;
  }
  io.stdout.write(json ? formatJson(tally, options) : formatText(tally, options));
  return passes(tally) ? EXIT.OK : EXIT_INVALID_LINES;
}

interface ParsedCheckArgs {
  readonly files: readonly string[];
  readonly options: CheckLogOptions;
  readonly json: boolean;
}

/** The arguments, or the exit code when there is nothing to run (--help, a usage error). */
function parseCheckArgs(argv: readonly string[], io: CommandIo): ParsedCheckArgs | number {
  const command = new Command('wirety-ship check')
    .description(
      'Classify captured wirety logs as the shipper would, offline: counts per verdict and every line the shipper dead-letters (its number, field and reason). Nothing is shipped or written.',
    )
    .argument('[file...]', `log files of raw wirety output; "${STDIN_NAME}" or none reads standard input`)
    .option('--json', 'one JSON object instead of text')
    .addOption(
      new Option('--max-listed <n>', 'list at most this many lines (counts stay exact)')
        .argParser(integerIn(0, Number.MAX_SAFE_INTEGER))
        .default(DEFAULT_MAX_LISTED),
    )
    .addOption(
      new Option('--max-line-bytes <size>', "the shipper's input.max_line_bytes: longer lines are invalid")
        .argParser(sizeArgument)
        .default(DEFAULTS.input.max_line_bytes, formatSize(DEFAULTS.input.max_line_bytes)),
    )
    .addOption(
      new Option('--max-depth <n>', "the shipper's input.max_depth: audit lines nested deeper are invalid")
        .argParser(integerIn(1, 1000))
        .default(DEFAULTS.input.max_depth),
    )
    .addOption(
      new Option('--unknown-actions <policy>', "the shipper's audit.unknown_actions")
        .choices(['forward', 'dead_letter'])
        .default(DEFAULTS.audit.unknown_actions),
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .showHelpAfterError('(wirety-ship check --help lists the options)')
    .allowExcessArguments(false);
  try {
    command.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.CONFIG;
    throw error;
  }
  const files = command.args;
  if (files.filter((f) => f === STDIN_NAME).length > 1) {
    io.stderr.write(`wirety-ship check: "${STDIN_NAME}" (standard input) can be named only once\n`);
    return EXIT.CONFIG;
  }
  const o = command.opts<{
    json?: boolean;
    maxListed: number;
    maxLineBytes: number;
    maxDepth: number;
    unknownActions: 'forward' | 'dead_letter';
  }>();
  return {
    files,
    json: o.json === true,
    options: {
      maxListed: o.maxListed,
      maxLineBytes: o.maxLineBytes,
      maxDepth: o.maxDepth,
      unknownActions: o.unknownActions,
    },
  };
}

/** Sizes as the config file writes them ("256KiB", "1MiB", bytes), parsed by the same rules. */
function sizeArgument(value: string): number {
  const parsed = parseSize(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.reason);
  if (parsed.value < 1) throw new InvalidArgumentError('must be at least 1 byte');
  return parsed.value;
}

function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be a whole number, ${min} or more`
          : `must be a whole number from ${min} to ${max}`,
      );
    return n;
  };
}
