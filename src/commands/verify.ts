/**
 * `wirety-ship verify`: what a sink holds, checked against the integrity chain (docs/verify.md).
 * Thin: options → sources → src/verify/run.ts → exit code.
 *
 * Exit codes: 0 nothing unexplained; 1 problems found (MISSING, ALTERED, FORGED, CONFLICT…);
 * 78 usage (bad options, no key, a key that is not a key); 74 I/O (a file unreadable, the sink
 * unreachable or refusing the query). Keys come from files (--key-file, repeatable, one per key of
 * a rotation) or WIRETY_SHIP_INTEGRITY_KEY, never from a flag's value; neither keys nor credentials
 * are ever printed (errors name files, never their content).
 */
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from '../errors.js';
import { parseDuration } from '../config/units.js';
import { parseKey, type IntegrityKey } from '../integrity/key.js';
import { readDeadLetterFiles, type DeadLetterIndex } from '../verify/dead-letters.js';
import { isExportFormat } from '../verify/formats.js';
import { createQueryClient, QueryError, type QueryClient } from '../verify/query-client.js';
import { elasticsearchQuery } from '../verify/query-elasticsearch.js';
import { lokiQuery } from '../verify/query-loki.js';
import { checkpointFile, exportFile, runVerification, type RecordSource } from '../verify/run.js';

export const PROBLEMS_FOUND = 1;
export const KEY_VARIABLE = 'WIRETY_SHIP_INTEGRITY_KEY';
export const DEFAULT_CHECKPOINT_INDEX = 'wirety-ship-checkpoints';

export interface VerifyIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** For tests: the current time (ms), for --since / --until. */
  readonly now?: () => number;
}

class UsageError extends Error {}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function command(): Command {
  return new Command('wirety-ship verify')
    .description('verify what a sink holds against the integrity chain: missing, altered, forged events')
    .option(
      '--key-file <path>',
      `file holding an integrity key (repeatable: every key of a rotation); or ${KEY_VARIABLE}`,
      collect,
    )
    .option('--from <file>', 'an export file ("-": stdin), with --format')
    .addOption(
      new Option('--format <format>', 'the export format').choices(['elasticsearch', 'loki', 'splunk']),
    )
    .option('--elasticsearch <url>', 'query Elasticsearch / OpenSearch directly (with --index)')
    .option('--index <pattern>', 'the index pattern the events are in, e.g. wirety-audit-*')
    .option('--checkpoint-index <name>', 'the index checkpoints are in', DEFAULT_CHECKPOINT_INDEX)
    .option('--loki <url>', 'query Loki directly (with --query)')
    .option(
      '--query <logql>',
      'the stream selector the events and checkpoints are in, e.g. \'{job="wirety"}\'',
    )
    .option('--since <when>', 'only events from this long ago (e.g. 24h) or this time (RFC 3339)')
    .option('--until <when>', 'only events up to this long ago or this time')
    .option('--dead-letter <file>', 'a dead-letter file whose records explain gaps (repeatable)', collect)
    .option(
      '--checkpoints <file>',
      "a checkpoint file (the shipper's checkpoint_file or a witness copy; repeatable)",
      collect,
    )
    .option('--user <name>', 'basic-auth user for the query')
    .option('--password-file <path>', 'file holding the basic-auth password')
    .option('--api-key-file <path>', 'file holding an Elasticsearch API key (base64 id:key)')
    .option('--bearer-token-file <path>', 'file holding a bearer token')
    .option('--tenant <id>', 'Loki tenant (X-Scope-OrgID)')
    .option('--ca-file <path>', 'CA certificate(s) to trust for https')
    .option('--insecure', 'do not verify the TLS certificate (never in production)')
    .option('--page-size <n>', 'records per query page', '1000')
    .option('--temp-dir <dir>', 'where the sort spills (default: the OS temp dir)')
    .option('--json', 'machine output: one JSON object per line')
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

interface Options {
  keyFile?: string[];
  from?: string;
  format?: string;
  elasticsearch?: string;
  index?: string;
  checkpointIndex: string;
  loki?: string;
  query?: string;
  since?: string;
  until?: string;
  deadLetter?: string[];
  checkpoints?: string[];
  user?: string;
  passwordFile?: string;
  apiKeyFile?: string;
  bearerTokenFile?: string;
  tenant?: string;
  caFile?: string;
  insecure?: boolean;
  pageSize: string;
  tempDir?: string;
  json?: boolean;
}

export async function runVerify(args: readonly string[], io: VerifyIo): Promise<number> {
  const program = command();
  let options: Options;
  try {
    program.parse([...args], { from: 'user' });
    options = program.opts<Options>();
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') {
        io.stdout.write(program.helpInformation());
        return EXIT.OK;
      }
      io.stderr.write(`wirety-ship verify: ${error.message.replace(/^error: /, '')}\n${usageHint}`);
      return EXIT.CONFIG;
    }
    throw error;
  }
  let client: QueryClient | undefined;
  try {
    const keys = loadKeys(options, io.env);
    const now = io.now?.() ?? Date.now();
    const sinceMs = options.since !== undefined ? when(options.since, '--since', now) : undefined;
    const untilMs = options.until !== undefined ? when(options.until, '--until', now) : undefined;
    const pageSize = Number(options.pageSize);
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > 10_000) {
      throw new UsageError('--page-size must be a whole number from 1 to 10000');
    }
    const sources: RecordSource[] = [];
    const modes = [options.from, options.elasticsearch, options.loki].filter((m) => m !== undefined).length;
    if (modes !== 1)
      throw new UsageError('give exactly one of --from FILE, --elasticsearch URL or --loki URL');
    if (options.from !== undefined) {
      if (options.format === undefined || !isExportFormat(options.format)) {
        throw new UsageError('--from needs --format elasticsearch, loki or splunk');
      }
      if (options.since !== undefined || options.until !== undefined) {
        throw new UsageError('--since and --until apply to queries; limit an export when making it');
      }
      sources.push(exportFile(options.from, options.format));
    } else if (options.elasticsearch !== undefined) {
      if (options.index === undefined) throw new UsageError('--elasticsearch needs --index PATTERN');
      client = queryClient(options.elasticsearch, options, 'elasticsearch');
      sources.push(
        elasticsearchQuery(client, {
          index: options.index,
          pageSize,
          ...(sinceMs !== undefined ? { sinceMs } : {}),
          ...(untilMs !== undefined ? { untilMs } : {}),
        }),
        // Checkpoints made after --until would claim events outside the window.
        elasticsearchQuery(client, {
          index: options.checkpointIndex,
          pageSize,
          optional: true,
          ...(untilMs !== undefined ? { untilMs } : {}),
        }),
      );
    } else {
      if (options.query === undefined)
        throw new UsageError("--loki needs --query '{…}' (the stream selector)");
      if (sinceMs === undefined)
        throw new UsageError('--loki needs --since: Loki reads a bounded time range');
      client = queryClient(options.loki!, options, 'loki');
      sources.push(
        lokiQuery(client, { query: options.query, startMs: sinceMs, endMs: untilMs ?? now, pageSize }),
      );
    }
    for (const file of options.checkpoints ?? []) sources.push(checkpointFile(file));
    let deadLetters: DeadLetterIndex | undefined;
    if (options.deadLetter !== undefined) deadLetters = await readDeadLetterFiles(options.deadLetter);
    const result = await runVerification({
      keys,
      sources,
      ...(deadLetters ? { deadLetters } : {}),
      windowed: sinceMs !== undefined || untilMs !== undefined,
      json: options.json ?? false,
      write: (text) => io.stdout.write(text),
      ...(options.tempDir !== undefined ? { sort: { tempDir: options.tempDir } } : {}),
    });
    return result.ok ? EXIT.OK : PROBLEMS_FOUND;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`wirety-ship verify: ${error.message}\n${usageHint}`);
      return EXIT.CONFIG;
    }
    if (error instanceof QueryError) {
      io.stderr.write(`wirety-ship verify: ${error.message}\n`);
      return EXIT.IO;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' || error instanceof Error) {
      // File errors name the path (never content); anything else is an I/O problem too.
      io.stderr.write(`wirety-ship verify: ${(error as Error).message}\n`);
      return EXIT.IO;
    }
    throw error;
  } finally {
    await client?.close();
  }
}

const usageHint = 'run `wirety-ship verify --help` for the options\n';

function loadKeys(options: Options, env: NodeJS.ProcessEnv): IntegrityKey[] {
  const keys: IntegrityKey[] = [];
  for (const file of options.keyFile ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    keys.push(keyOrUsage(text, `--key-file ${file}`));
  }
  const variable = env[KEY_VARIABLE];
  if (variable !== undefined && variable.trim() !== '') keys.push(keyOrUsage(variable, KEY_VARIABLE));
  if (keys.length === 0)
    throw new UsageError(`no integrity key: give --key-file PATH or set ${KEY_VARIABLE}`);
  return keys.filter((key, i) => keys.findIndex((k) => k.id === key.id) === i);
}

function keyOrUsage(text: string, origin: string): IntegrityKey {
  try {
    return parseKey(text, origin);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** "24h" (that long before now) or an RFC 3339 time. */
function when(text: string, flag: string, now: number): number {
  const duration = parseDuration(text);
  if (duration.ok) return now - duration.value;
  const ms = /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`${flag} ${text}: neither a duration (e.g. 24h) nor an RFC 3339 time`);
  return ms;
}

function readSecret(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function queryClient(url: string, options: Options, sink: 'elasticsearch' | 'loki'): QueryClient {
  try {
    return createQueryClient(connection(url, options, sink));
  } catch (error) {
    // A URL or CA file we cannot use is a usage error: nothing was asked of the sink yet.
    if (error instanceof QueryError) throw new UsageError(error.message);
    throw error;
  }
}

function connection(url: string, options: Options, sink: 'elasticsearch' | 'loki') {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  if (options.passwordFile !== undefined || options.user !== undefined) {
    if (options.passwordFile === undefined) throw new UsageError('--user needs --password-file');
    const password = readSecret(options.passwordFile, '--password-file');
    const basic = Buffer.from(`${options.user ?? ''}:${password}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
    secrets.push(password, basic);
  }
  if (options.apiKeyFile !== undefined) {
    if (sink !== 'elasticsearch') throw new UsageError('--api-key-file is for --elasticsearch');
    const key = readSecret(options.apiKeyFile, '--api-key-file');
    headers.authorization = `ApiKey ${key}`;
    secrets.push(key);
  }
  if (options.bearerTokenFile !== undefined) {
    const token = readSecret(options.bearerTokenFile, '--bearer-token-file');
    headers.authorization = `Bearer ${token}`;
    secrets.push(token);
  }
  if (options.tenant !== undefined) {
    if (sink !== 'loki') throw new UsageError('--tenant is for --loki');
    headers['x-scope-orgid'] = options.tenant;
  }
  return {
    url,
    headers,
    secrets,
    insecure: options.insecure ?? false,
    ...(options.caFile !== undefined ? { caFile: options.caFile } : {}),
    timeoutMs: 60_000,
  };
}
