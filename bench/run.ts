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
 *   npm run bench -- --repeat 3          # floor and stdin scenarios run 3 times: medians
 *
 * events/s = audit events that reached the receiver ÷ wall time from spawn to exit.
 * peak RSS = VmHWM of the wirety-ship process, read from /proc while it runs.
 *
 * Issue 12 (docs/PERFORMANCE.md, "Issue 12: the floor, real rates, start and catch-up"):
 *   floor       bench/floor.ts fed the corpus the same way: read + split + JSON.parse + log_type
 *               filter, ships nothing. Runs whenever a throughput scenario does; every throughput
 *               row prints its ratio to it ("0.31× floor"; all3: per sink)
 *   rate-100    100 stamped audit lines/s for 60 s (--rate-seconds N) → --loki: CPU % of a core,
 *               peak RSS, delivery latency p50/p99/max (bench/audit-rate.ts)
 *   idle        stdin open, nothing written, 3 HTTP sinks, 60 s (--idle-seconds N): CPU, RSS
 *   start       --version / --help wall time (median of --start-runs, 10), spawn → first delivery
 *   catch-up    the corpus journaled with the receiver down, then drained: events/s and ratio
 * The run ends with a "targets" block: each target of issue 12, the figure, met or MISSED.
 *
 * The inputs that do not end at EOF (bench/running-shipper.ts): the shipper runs until the
 * receiver has counted every audit event, then gets SIGTERM; events/s = audit events ÷ wall time
 * from spawn to that moment, printed next to the stdin → Loki (disk) figure of the same run when
 * `loki-disk` ran too (`--only loki-disk,file-loki,…`).
 *   file-loki, file-cri-loki   --file on the corpus written beforehand (raw NDJSON; CRI-wrapped)
 *   file-append-loki           --file on a file a writer process appends the corpus to, in chunks
 *                              of 1,000 lines (--append-rate N: paced to N lines/s; default as
 *                              fast as the disk takes them)
 *   files-200                  200 files, each appended 50 lines/s for 30 s (--files-seconds N):
 *                              CPU (% of one core over the steady window) and peak RSS
 *   forward-packed             --forward: PackedForward requests of 1,000 with chunk, each acked
 *                              before the next (bench/forward-client.ts; --forward-window N lets
 *                              N requests wait for their ack at once)
 *   forward-message            --forward: one Message per line, acked before the next (Docker's way);
 *                              --message-lines N sends the first N corpus lines only
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { fullyIdle, realAuditRate, type ShipperCommand } from './audit-rate.js';
import { corpusFile, type CorpusFile as Corpus } from './corpus-file.js';
import { writeCriCorpus } from './cri-corpus.js';
import { runToExit } from './exiting-process.js';
import { measureFloor } from './floor-run.js';
import { outageAndRestart } from './outage.js';
import { startReceiver as startReceiverIn } from './receiver.js';
import { figures, floorRatio, peakRss, perSecond, printSummary, repeatsText, report } from './results.js';
import {
  runBenchScript,
  startShipper,
  waitForDelivered,
  type Delivered,
  type RunningShipper,
} from './running-shipper.js';
import { median } from './stats.js';
import { startTimes } from './start-time.js';
import { targetsText } from './targets.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'bench', 'out');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
/** `--cli <path>`: measure another build (e.g. an earlier commit's dist/cli.js) against this run's floor. */
const cli = path.resolve(flag('--cli') ?? path.join(root, 'dist', 'cli.js'));
const LINES = Number(flag('--lines') ?? 1_000_000);
const APPEND_RATE = Number(flag('--append-rate') ?? 0);
const FILES_SECONDS = Number(flag('--files-seconds') ?? 30);
/** forward-message waits for one ack per line: a round trip each, so it may need a shorter corpus. */
const MESSAGE_LINES = Number(flag('--message-lines') ?? LINES);
/** Forward requests the client may have waiting for their ack at once (1: send, wait, send). */
const FORWARD_WINDOW = Number(flag('--forward-window') ?? 1);
const only = flag('--only')?.split(',');
/** Runs of the floor and of each stdin scenario; the figure is their median (the issue's: 3). */
const REPEAT = Math.max(1, Number(flag('--repeat') ?? 1));
/** rate-100: how long the paced writer writes. */
const RATE_SECONDS = Number(flag('--rate-seconds') ?? 60);
/** idle: how long stdin stays open with nothing written. */
const IDLE_SECONDS = Number(flag('--idle-seconds') ?? 60);
/** start: runs of --version and --help (half as many full starts). */
const START_RUNS = Number(flag('--start-runs') ?? 10);
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

const corpus = (lines: number) => corpusFile(outDir, lines);
const startReceiver = () => startReceiverIn(root);
const shipperCommand: ShipperCommand = { root, cli, nodeFlags: NODE_FLAGS };

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

/** events/s of this run's scenarios, for the ratios printed next to the long-running inputs. */
const measured = new Map<string, number>();

/**
 * stdin → the given sinks until EOF, REPEAT times: the median events/s (per sink: every sink
 * receives every audit event) and the highest peak RSS of the runs.
 */
async function shipScenario(
  name: string,
  c: Corpus,
  sinkArgs: (url: string) => string[],
  opts: { disk?: boolean; env?: Record<string, string>; sinks?: number; only?: string } = {},
): Promise<void> {
  const rates: number[] = [];
  let peak = 0;
  let last = '';
  for (let i = 0; i < REPEAT; i++) {
    const receiver = await startReceiver();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
    try {
      const r = await runToExit({
        nodeArgs: [
          ...NODE_FLAGS,
          cli,
          ...sinkArgs(receiver.url),
          ...(opts.disk ? ['--data-dir', dataDir] : ['--buffer', 'memory']),
          '--dead-letter',
          path.join(dataDir, 'dead.ndjson'),
        ],
        stdinPath: c.path,
        ...(opts.env ? { env: opts.env } : {}),
      });
      if (r.exitCode !== 0 && r.exitCode !== 75) process.stderr.write(r.stderrTail);
      const got = await receiver.count();
      const expected = c.audit * (opts.sinks ?? 1);
      const complete =
        opts.sinks === 0
          ? 'to /dev/null'
          : got.events >= expected
            ? 'all delivered'
            : `ONLY ${got.events}/${expected} delivered`;
      rates.push(c.audit / r.seconds);
      peak = Math.max(peak, r.peakRssMiB);
      last = `${r.seconds.toFixed(2)} s  ${c.lines.toLocaleString('en')} lines, ${complete} (${got.requests} requests), exit ${r.exitCode}`;
    } finally {
      receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const rate = median(rates);
  measured.set(name, rate);
  if (opts.only !== undefined) figures.throughput.set(opts.only, rate);
  const perSink = (opts.sinks ?? 1) > 1 ? ' per sink' : '';
  report(
    name,
    `${perSecond(rate)} events/s${perSink}  ${floorRatio(rate)}${perSink}  ${peakRss(name, peak)}  ${last}${repeatsText(rates)}`,
  );
}

const STDIN_LOKI_DISK = 'loki, disk journal';

/** The figure against stdin → Loki (disk journal) of the same run, when that scenario ran. */
function againstStdin(eventsPerSecond: number): string {
  const stdin = measured.get(STDIN_LOKI_DISK);
  return `${floorRatio(eventsPerSecond)}, ${
    stdin === undefined
      ? 'no stdin figure this run (add loki-disk to --only)'
      : `${(eventsPerSecond / stdin).toFixed(2)}x stdin→Loki disk (${Math.round(stdin).toLocaleString('en')} ev/s)`
  }`;
}

/** events/s reached; when not everything arrived, the events that did (and no ratio is fair). */
function deliveredRate(d: Delivered, expected: number): number {
  return Math.min(d.events, expected) / d.seconds;
}

function deliveredText(d: Delivered, expected: number): string {
  return d.complete
    ? `all delivered (${d.requests} requests)`
    : `ONLY ${d.events}/${expected} delivered (${d.reason ?? '?'})`;
}

async function stopText(shipper: RunningShipper): Promise<string> {
  const cpu = shipper.cpuSeconds();
  const s = await shipper.stop(60_000);
  if (s.exitCode !== 0) process.stderr.write(shipper.stderrTail());
  return `${cpu === undefined ? '' : `${cpu.toFixed(1)} s CPU, `}SIGTERM → exit ${s.exitCode} in ${s.seconds.toFixed(2)} s`;
}

async function criCorpus(c: Corpus): Promise<string> {
  const file = c.path.replace(/\.log$/, '.cri.log');
  if (!existsSync(file)) {
    await writeCriCorpus(c.path, file + '.part');
    renameSync(file + '.part', file);
  }
  return file;
}

/**
 * `--file` → Loki with a fresh data directory (positions start empty, so the file is read from
 * its start): the corpus written beforehand, or appended by a writer process while tailed.
 */
async function fileScenario(
  name: string,
  c: Corpus,
  opts: { file: string; format: 'raw' | 'cri'; append?: boolean },
): Promise<void> {
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  const tailed = opts.append ? path.join(dataDir, 'app', 'wirety.log') : opts.file;
  if (opts.append) {
    mkdirSync(path.dirname(tailed));
    writeFileSync(tailed, '');
  }
  try {
    const shipper = startShipper(cli, NODE_FLAGS, [
      '--file',
      tailed,
      '--file-format',
      opts.format,
      '--loki',
      receiver.url,
      '--data-dir',
      path.join(dataDir, 'data'),
      '--dead-letter',
      path.join(dataDir, 'dead.ndjson'),
    ]);
    const writer = opts.append
      ? runBenchScript<{ lines: number; seconds: number }>(root, 'append-writer.ts', [
          opts.file,
          tailed,
          '1000',
          String(APPEND_RATE),
        ])
      : undefined;
    writer?.catch(() => undefined);
    const d = await waitForDelivered(receiver, () => c.audit, shipper);
    const stopped = await stopText(shipper);
    const w = writer ? await writer.catch((e: unknown) => String(e)) : undefined;
    const rate = deliveredRate(d, c.audit);
    report(
      name,
      `${Math.round(rate).toLocaleString('en')} events/s  peak RSS ${shipper.peakRssMiB().toFixed(0)} MiB  ${d.seconds.toFixed(2)} s  ${c.lines.toLocaleString('en')} lines, ${deliveredText(d, c.audit)}, ${stopped}; ${d.complete ? againstStdin(rate) : 'no ratio: incomplete'}` +
        (w === undefined
          ? ''
          : typeof w === 'string'
            ? `; writer failed: ${w}`
            : `; writer appended ${w.lines.toLocaleString('en')} lines in ${w.seconds.toFixed(2)} s${APPEND_RATE > 0 ? ` (paced ${APPEND_RATE} lines/s)` : ''}`),
    );
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `--forward 127.0.0.1:0` → Loki; bench/forward-client.ts sends the corpus over one connection. */
async function forwardScenario(name: string, c: Corpus, mode: 'packed' | 'message'): Promise<void> {
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  try {
    const shipper = startShipper(
      cli,
      NODE_FLAGS,
      [
        '--forward',
        '127.0.0.1:0',
        '--loki',
        receiver.url,
        '--data-dir',
        path.join(dataDir, 'data'),
        '--dead-letter',
        path.join(dataDir, 'dead.ndjson'),
      ],
      // The bound port is in the info line "forward input listening".
      { WIRETY_SHIP_LOG_LEVEL: 'info' },
    );
    let d: Delivered;
    let clientText: string;
    try {
      const listening = await shipper.waitForLog('forward input listening', 60_000);
      const port = /:(\d+)$/.exec(String(listening.address))?.[1];
      if (port === undefined) throw new Error(`no port in ${JSON.stringify(listening)}`);
      const client = runBenchScript<{ lines: number; requests: number; seconds: number }>(
        root,
        'forward-client.ts',
        ['127.0.0.1', port, mode, c.path, '1000', String(FORWARD_WINDOW)],
      );
      client.catch(() => undefined);
      d = await waitForDelivered(receiver, () => c.audit, shipper);
      const r = await client.catch((e: unknown) => String(e));
      clientText =
        typeof r === 'string'
          ? `client failed: ${r}`
          : `client: ${r.requests.toLocaleString('en')} requests acked in ${r.seconds.toFixed(2)} s`;
    } catch (error) {
      await stopText(shipper);
      throw error;
    }
    const stopped = await stopText(shipper);
    const rate = deliveredRate(d, c.audit);
    report(
      name,
      `${Math.round(rate).toLocaleString('en')} events/s  peak RSS ${shipper.peakRssMiB().toFixed(0)} MiB  ${d.seconds.toFixed(2)} s  ${c.lines.toLocaleString('en')} lines, ${deliveredText(d, c.audit)}, ${stopped}; ${d.complete ? againstStdin(rate) : 'no ratio: incomplete'}; ${clientText}`,
    );
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * 200 files, each appended 50 lines/s for FILES_SECONDS, tailed by one wirety-ship → Loki. CPU is
 * the shipper's utime + stime over the steady window (from 5 s after the writer starts to its
 * end: discovery and start-up excluded), as % of one core.
 */
async function manyFiles(
  name: string,
  files: number,
  linesPerSecond: number,
  seconds: number,
): Promise<void> {
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  const podsDir = path.join(dataDir, 'pods');
  mkdirSync(podsDir);
  try {
    const shipper = startShipper(cli, NODE_FLAGS, [
      '--file',
      path.join(podsDir, '*.log'),
      '--file-format',
      'raw',
      '--loki',
      receiver.url,
      '--data-dir',
      path.join(dataDir, 'data'),
      '--dead-letter',
      path.join(dataDir, 'dead.ndjson'),
    ]);
    const writerStart = performance.now();
    let written: { lines: number; audit: number; seconds: number } | undefined;
    const writer = runBenchScript<{ lines: number; audit: number; seconds: number }>(
      root,
      'files-writer.ts',
      [podsDir, String(files), String(linesPerSecond), String(seconds)],
    ).then((w) => (written = w));
    writer.catch(() => undefined);
    const warmUp = Math.min(5, seconds / 3);
    await sleep(warmUp * 1000);
    const cpu0 = shipper.cpuSeconds();
    const t0 = performance.now();
    await writer;
    const cpu1 = shipper.cpuSeconds();
    const t1 = performance.now();
    const d = await waitForDelivered(receiver, () => written?.audit, shipper);
    const lastDelivery =
      (shipper.startedAt + d.seconds * 1000 - writerStart) / 1000 - (written?.seconds ?? 0);
    const stopped = await stopText(shipper);
    const cpuText =
      cpu0 === undefined || cpu1 === undefined
        ? 'CPU not read'
        : `CPU ${(((cpu1 - cpu0) / ((t1 - t0) / 1000)) * 100).toFixed(1)} % of one core over ${((t1 - t0) / 1000).toFixed(0)} s steady`;
    report(
      name,
      `${cpuText}  peak RSS ${shipper.peakRssMiB().toFixed(0)} MiB  ${files} files x ${linesPerSecond} lines/s x ${seconds} s = ${written?.lines.toLocaleString('en') ?? '?'} lines, ${deliveredText(d, written?.audit ?? 0)} ${lastDelivery.toFixed(1)} s after the writer's end, ${stopped}`,
    );
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Every scenario whose figure is divided by the floor: the floor runs whenever one of them does. */
const AGAINST_FLOOR = [
  'stdout',
  'loki-memory',
  'loki-disk',
  'es',
  'splunk',
  'all3',
  'loki-5m',
  'outage',
  'catch-up',
  'file-loki',
  'file-cri-loki',
  'file-append-loki',
  'forward-packed',
  'forward-message',
];
const SCENARIOS = ['floor', 'bare', ...AGAINST_FLOOR, 'rate-100', 'idle', 'start', 'files-200'];
const unknown = only?.filter((name) => !SCENARIOS.includes(name)) ?? [];
if (unknown.length > 0)
  throw new Error(`--only: no scenario ${unknown.join(', ')} (there are: ${SCENARIOS.join(', ')})`);
const want = (name: string) => !only || only.includes(name);

if (!existsSync(cli)) throw new Error('dist/cli.js missing: run `npm run build` (npm run bench does)');
const c1 = await corpus(LINES);
process.stdout.write(
  `corpus: ${c1.lines.toLocaleString('en')} lines, ${c1.audit.toLocaleString('en')} audit events, ${(c1.bytes / 2 ** 20).toFixed(0)} MiB; node ${process.version}, ${os.cpus().length} cores\n`,
);
if (want('floor') || AGAINST_FLOOR.some(want)) await measureFloor(root, c1, REPEAT);
if (want('bare')) bareParse(c1);
if (want('stdout'))
  await shipScenario('stdout (to /dev/null)', c1, () => ['--stdout'], { disk: false, sinks: 0 });
if (want('loki-memory')) await shipScenario('loki, buffer memory', c1, (u) => ['--loki', u]);
if (want('loki-disk'))
  await shipScenario(STDIN_LOKI_DISK, c1, (u) => ['--loki', u], { disk: true, only: 'loki-disk' });
if (want('es'))
  await shipScenario('elasticsearch, disk', c1, (u) => ['--elasticsearch', u], { disk: true, only: 'es' });
if (want('splunk'))
  await shipScenario('splunk hec, disk', c1, (u) => ['--splunk-hec', u], {
    disk: true,
    env: { WIRETY_SHIP_SPLUNK_TOKEN: 'bench' },
    only: 'splunk',
  });
if (want('all3'))
  await shipScenario(
    'loki+es+splunk, disk',
    c1,
    (u) => ['--loki', u, '--elasticsearch', u, '--splunk-hec', u],
    { disk: true, sinks: 3, env: { WIRETY_SHIP_SPLUNK_TOKEN: 'bench' }, only: 'all3' },
  );
if (want('loki-5m')) {
  const c5 = await corpus(LINES * 5);
  await shipScenario('loki, disk, 5x corpus', c5, (u) => ['--loki', u], { disk: true });
}
/** A scenario that fails (e.g. the CLI lacks an input) is reported as a row; the others still run. */
const orReport = (name: string) => (e: unknown) =>
  report(name, `FAILED: ${e instanceof Error ? e.message : String(e)}`);
if (want('outage'))
  await outageAndRestart('outage, 5x corpus', shipperCommand, await corpus(LINES * 5), 1).catch(
    orReport('outage'),
  );
if (want('catch-up'))
  await outageAndRestart('catch-up', shipperCommand, c1, REPEAT)
    .then((rate) => {
      if (rate !== undefined) figures.catchUp = rate;
    })
    .catch(orReport('catch-up'));
if (want('rate-100')) await realAuditRate(shipperCommand, 100, RATE_SECONDS).catch(orReport('rate-100'));
if (want('idle')) await fullyIdle(shipperCommand, IDLE_SECONDS).catch(orReport('idle'));
if (want('start'))
  await corpus(1000)
    .then((small) => startTimes(shipperCommand, small, START_RUNS))
    .catch(orReport('start'));
if (want('file-loki'))
  await fileScenario('file → loki, disk', c1, { file: c1.path, format: 'raw' }).catch(orReport('file-loki'));
if (want('file-cri-loki'))
  await criCorpus(c1)
    .then((file) => fileScenario('file (CRI) → loki, disk', c1, { file, format: 'cri' }))
    .catch(orReport('file-cri-loki'));
if (want('file-append-loki'))
  await fileScenario('file appended → loki, disk', c1, { file: c1.path, format: 'raw', append: true }).catch(
    orReport('file-append-loki'),
  );
if (want('forward-packed'))
  await forwardScenario('forward packed → loki', c1, 'packed').catch(orReport('forward-packed'));
if (want('forward-message'))
  await corpus(MESSAGE_LINES)
    .then((c) => forwardScenario('forward message → loki', c, 'message'))
    .catch(orReport('forward-message'));
if (want('files-200'))
  await manyFiles('200 files → loki, disk', 200, 50, FILES_SECONDS).catch(orReport('files-200'));

printSummary();
process.stdout.write(`\n${targetsText(LINES)}\n`);
