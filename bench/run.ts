/**
 * `npm run bench`: end-to-end throughput and peak memory of the built CLI (dist/cli.js), fed a
 * corpus shaped like real wirety output (≈85 % audit, ≈12 % other JSON, ≈3 % broken) piped to stdin,
 * delivering to a counting receiver in another process (the machine's other core).
 *
 *   npm run bench                        # every scenario
 *   npm run bench -- --only loki-disk    # one scenario (comma-separated list allowed)
 *   npm run bench -- --lines 200000      # smaller corpus for a quick look
 *   npm run bench -- --speed             # node --no-optimize-for-size (throughput over memory)
 *   npm run bench -- --lean              # node --optimize-for-size from the start (the Docker image)
 *
 * events/s = audit events that reached the receiver ÷ wall time from spawn to exit.
 * peak RSS = VmHWM of the wirety-ship process, read from /proc while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from './corpus.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'out');
const cli = path.join(root, 'dist', 'cli.js');

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const LINES = Number(flag('--lines') ?? 1_000_000);
const only = flag('--only')?.split(',');
/**
 * How Node runs the shipper. The CLI turns on V8's --optimize-for-size itself (memory over speed);
 * `--speed` measures it with `node --no-optimize-for-size`, `--lean` with the flag given on the
 * command line from the start, as the Docker image runs it.
 */
const NODE_FLAGS = args.includes('--speed')
  ? ['--no-optimize-for-size']
  : args.includes('--lean')
    ? ['--optimize-for-size']
    : [];

interface Corpus {
  readonly path: string;
  readonly lines: number;
  readonly audit: number;
  readonly bytes: number;
}

async function corpus(lines: number): Promise<Corpus> {
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `corpus-${lines}.log`);
  const meta = file + '.json';
  if (existsSync(file) && existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as Corpus;
  const r = await writeCorpus(file, lines);
  const c = { path: file, lines: r.lines, audit: r.audit, bytes: r.bytes };
  writeFileSync(meta, JSON.stringify(c));
  return c;
}

interface Receiver {
  readonly url: string;
  count(): Promise<{ events: number; requests: number }>;
  stop(): void;
}

async function startReceiver(down = false): Promise<Receiver> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench', 'counting-receiver.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_RECEIVER_DOWN: down ? '1' : '0' },
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    count: async () => (await (await fetch(`${url}/count`)).json()) as { events: number; requests: number },
    stop: () => child.kill('SIGTERM'),
  };
}

interface RunResult {
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number | null;
  readonly firstRequestSeconds?: number;
}

async function runShipper(
  cliArgs: string[],
  stdinPath: string | undefined,
  env: Record<string, string> = {},
  watchFirstRequest?: Receiver,
): Promise<RunResult> {
  const started = performance.now();
  // stdin is a pipe, as with `wirety-server | wirety-ship` (a file descriptor would let the
  // shipper read faster than any real writer can produce).
  const child: ChildProcess = spawn(process.execPath, [...NODE_FLAGS, cli, ...cliArgs], {
    stdio: [stdinPath ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, WIRETY_SHIP_LOG_LEVEL: 'warn', ...env },
  });
  if (stdinPath && child.stdin) {
    child.stdin.on('error', () => undefined);
    createReadStream(stdinPath).pipe(child.stdin);
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()).slice(-20_000));
  let peakKiB = 0;
  let firstRequestSeconds: number | undefined;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      /* exited */
    }
    if (watchFirstRequest && firstRequestSeconds === undefined) {
      void watchFirstRequest.count().then((c) => {
        if (c.requests > 0 && firstRequestSeconds === undefined)
          firstRequestSeconds = (performance.now() - started) / 1000;
      });
    }
  }, 20);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  if (exitCode !== 0 && exitCode !== 75) process.stderr.write(stderr);
  return {
    seconds,
    peakRssMiB: peakKiB / 1024,
    exitCode,
    ...(firstRequestSeconds !== undefined ? { firstRequestSeconds } : {}),
  };
}

const rows: string[] = [];
function report(name: string, text: string): void {
  const row = `${name.padEnd(26)} ${text}`;
  rows.push(row);
  process.stdout.write(row + '\n');
}

function bareParse(c: Corpus): void {
  const started = performance.now();
  const data = readFileSync(c.path);
  let start = 0;
  let parsed = 0;
  for (;;) {
    const nl = data.indexOf(10, start);
    if (nl === -1) break;
    try {
      JSON.parse(data.toString('utf8', start, nl));
      parsed++;
    } catch {
      /* broken line */
    }
    start = nl + 1;
  }
  const s = (performance.now() - started) / 1000;
  report(
    'bare split+JSON.parse',
    `${Math.round(c.lines / s).toLocaleString('en')} lines/s (in-process, no I/O; ${parsed} parsed)`,
  );
}

async function shipScenario(
  name: string,
  c: Corpus,
  sinkArgs: (url: string) => string[],
  opts: { disk?: boolean; env?: Record<string, string>; sinks?: number } = {},
) {
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  try {
    const r = await runShipper(
      [
        ...sinkArgs(receiver.url),
        ...(opts.disk ? ['--data-dir', dataDir] : ['--buffer', 'memory']),
        '--dead-letter',
        path.join(dataDir, 'dead.ndjson'),
      ],
      c.path,
      opts.env,
    );
    const got = await receiver.count();
    const expected = c.audit * (opts.sinks ?? 1);
    const complete =
      opts.sinks === 0
        ? 'to /dev/null'
        : got.events >= expected
          ? 'all delivered'
          : `ONLY ${got.events}/${expected} delivered`;
    report(
      name,
      `${Math.round(c.audit / r.seconds).toLocaleString('en')} events/s  peak RSS ${r.peakRssMiB.toFixed(0)} MiB  ${r.seconds.toFixed(2)} s  ${c.lines.toLocaleString('en')} lines, ${complete} (${got.requests} requests), exit ${r.exitCode}`,
    );
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function outageAndRestart(c: Corpus): Promise<void> {
  const receiver = await startReceiver(true);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  const configPath = path.join(dataDir, 'ship.yaml');
  writeFileSync(
    configPath,
    `buffer:\n  data_dir: ${dataDir}/journal\n  max_bytes: 4GiB\nshutdown_timeout: 2s\ndead_letter:\n  path: ${dataDir}/dead.ndjson\nsinks:\n  loki:\n    type: loki\n    url: ${receiver.url}\n`,
  );
  try {
    const down = await runShipper(['--config', configPath], c.path);
    const journalBytes = await dirBytes(path.join(dataDir, 'journal'));
    report(
      'receiver down, journal',
      `${Math.round(c.audit / down.seconds).toLocaleString('en')} events/s journaled  peak RSS ${down.peakRssMiB.toFixed(0)} MiB  ${(journalBytes / 2 ** 30).toFixed(2)} GiB journaled, exit ${down.exitCode} (75 expected)`,
    );
    await fetch(`${receiver.url}/up`);
    const up = await runShipper(['--config', configPath], undefined, {}, receiver);
    const got = await receiver.count();
    report(
      'restart, drain journal',
      `first delivery after ${up.firstRequestSeconds?.toFixed(2) ?? '?'} s  drained ${got.events}/${c.audit} in ${up.seconds.toFixed(1)} s  peak RSS ${up.peakRssMiB.toFixed(0)} MiB, exit ${up.exitCode}`,
    );
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(path.join(dir, f))).size;
  return total;
}

const want = (name: string) => !only || only.includes(name);

if (!existsSync(cli)) throw new Error('dist/cli.js missing: run `npm run build` (npm run bench does)');
const c1 = await corpus(LINES);
process.stdout.write(
  `corpus: ${c1.lines.toLocaleString('en')} lines, ${c1.audit.toLocaleString('en')} audit events, ${(c1.bytes / 2 ** 20).toFixed(0)} MiB; node ${process.version}, ${os.cpus().length} cores\n`,
);
if (want('bare')) bareParse(c1);
if (want('stdout'))
  await shipScenario('stdout (to /dev/null)', c1, () => ['--stdout'], { disk: false, sinks: 0 });
if (want('loki-memory')) await shipScenario('loki, buffer memory', c1, (u) => ['--loki', u]);
if (want('loki-disk')) await shipScenario('loki, disk journal', c1, (u) => ['--loki', u], { disk: true });
if (want('es')) await shipScenario('elasticsearch, disk', c1, (u) => ['--elasticsearch', u], { disk: true });
if (want('splunk'))
  await shipScenario('splunk hec, disk', c1, (u) => ['--splunk-hec', u], {
    disk: true,
    env: { WIRETY_SHIP_SPLUNK_TOKEN: 'bench' },
  });
if (want('all3'))
  await shipScenario(
    'loki+es+splunk, disk',
    c1,
    (u) => ['--loki', u, '--elasticsearch', u, '--splunk-hec', u],
    { disk: true, sinks: 3, env: { WIRETY_SHIP_SPLUNK_TOKEN: 'bench' } },
  );
if (want('loki-5m')) {
  const c5 = await corpus(LINES * 5);
  await shipScenario('loki, disk, 5x corpus', c5, (u) => ['--loki', u], { disk: true });
}
if (want('outage'))
  await outageAndRestart(await corpus(Math.max(LINES * 5, 1))).catch((e: unknown) =>
    report('outage', String(e)),
  );
