/**
 * `wirety-ship check`'s work: read files or stdin, frame and classify every line as the shipper
 * would (check-line.ts), no journal, no sinks, nothing written. Streams: memory stays bounded by
 * max_line_bytes and the listing cap (tally.ts), whatever the size of the input.
 *
 * Every file is opened before anything is read, so a missing or unreadable one is reported (all
 * of them at once) before any work is done, never halfway through a report.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createClassifier } from '../audit/classify.js';
import { createLineFramer } from '../sources/line-framer.js';
import { checkLine, type LineDecisions } from './check-line.js';
import { createTally, type Tally } from './tally.js';

/** "-" on the command line: standard input. */
export const STDIN_NAME = '-';

export interface CheckLogOptions {
  /** input.max_line_bytes: longer lines are invalid (`line_too_long`). */
  readonly maxLineBytes: number;
  /** input.max_depth: audit lines nested deeper are invalid (`too_deep`). */
  readonly maxDepth: number;
  /** audit.unknown_actions: `dead_letter` makes an action outside the catalogue invalid. */
  readonly unknownActions: 'forward' | 'dead_letter';
  /** How many findings (and distinct unknown actions) are kept for the listing. */
  readonly maxListed: number;
}

/** A file that could not be opened or read; `check` then reports no counts at all. */
export class UnreadableInputError extends Error {
  constructor(readonly problems: readonly { readonly source: string; readonly message: string }[]) {
    super(problems.map((p) => `${p.source}: ${p.message}`).join('\n'));
    this.name = 'UnreadableInputError';
  }
}

/**
 * Checks `names` in order ("-" is stdin; no name at all means stdin).
 * @throws UnreadableInputError when a file cannot be opened or read.
 */
export async function checkLogs(
  names: readonly string[],
  options: CheckLogOptions,
  stdin: AsyncIterable<Buffer | string>,
): Promise<Tally> {
  const sources = names.length === 0 ? [STDIN_NAME] : names;
  const handles = await openAll(sources);
  const decide: LineDecisions = {
    classify: createClassifier(undefined, { maxDepth: options.maxDepth }),
    maxLineBytes: options.maxLineBytes,
    unknownActions: options.unknownActions,
  };
  const tally = createTally(options.maxListed);
  try {
    for (const name of sources) {
      const handle = handles.get(name);
      const label = handle ? name : 'stdin';
      tally.files.push(label);
      const stream = handle ? handle.createReadStream({ autoClose: false, start: 0 }) : stdin;
      try {
        await checkStream(tally, label, stream, decide);
      } catch (error) {
        throw new UnreadableInputError([{ source: label, message: describeIoError(error) }]);
      }
    }
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close().catch(() => undefined)));
  }
  return tally;
}

async function checkStream(
  tally: Tally,
  source: string,
  stream: AsyncIterable<Buffer | string>,
  decide: LineDecisions,
): Promise<void> {
  const framer = createLineFramer({ maxLineBytes: decide.maxLineBytes });
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const framed of framer.push(bytes)) checkLine(tally, source, framed, decide);
  }
  for (const framed of framer.end()) checkLine(tally, source, framed, decide);
}

/** Opens every named file (not "-"); reports every one that fails, then closes the others. */
async function openAll(sources: readonly string[]): Promise<Map<string, FileHandle>> {
  const handles = new Map<string, FileHandle>();
  const problems: { source: string; message: string }[] = [];
  for (const name of new Set(sources)) {
    if (name === STDIN_NAME) continue;
    try {
      handles.set(name, await open(name, 'r'));
    } catch (error) {
      problems.push({ source: name, message: describeIoError(error) });
    }
  }
  if (problems.length > 0) {
    await Promise.all([...handles.values()].map((h) => h.close().catch(() => undefined)));
    throw new UnreadableInputError(problems);
  }
  return handles;
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a log file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
