/**
 * How fast `verify` reads an export, and how much memory it takes:
 *
 *   node --import tsx scripts/verify-bench.ts [--events 1000000] [--format elasticsearch|loki|splunk]
 *
 * Writes an export of N chained events (one journal, a checkpoint at the end) to a temp file,
 * then runs the verification in a child process (so its peak RSS is its own) and prints events/s,
 * wall time, peak RSS and how many sort runs spilled to disk. Generation is not timed.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chainOf, chainSeed } from '../src/integrity/chain.js';
import { signCheckpoint } from '../src/integrity/checkpoint.js';
import { parseKey } from '../src/integrity/key.js';
import { isExportFormat, type ExportFormat } from '../src/verify/formats.js';
import { exportFile, runVerification } from '../src/verify/run.js';

const KEY = parseKey('5e'.repeat(32), 'bench');
const JOURNAL = 'bench-journal';
const T0 = 1_764_496_800;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    format: { type: 'string', default: 'elasticsearch' },
    child: { type: 'string' },
  },
});
const format = values.format;
if (!isExportFormat(format)) throw new Error(`--format: elasticsearch, loki or splunk, not ${format}`);

if (values.child !== undefined) {
  // The measured part: one verification, as `wirety-ship verify --from FILE --format F` runs it.
  const started = performance.now();
  const result = await runVerification({
    keys: [KEY],
    sources: [exportFile(values.child, format)],
    json: true,
    write: () => undefined,
  });
  const ms = performance.now() - started;
  process.stdout.write(
    JSON.stringify({
      ok: result.ok,
      records: result.records,
      runs: result.runs,
      ms,
      cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
      maxRssKiB: process.resourceUsage().maxRSS,
    }),
  );
} else {
  const events = Number(values.events);
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-bench-'));
  try {
    const file = path.join(dir, `export.${format}`);
    await writeExport(file, format, events);
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1]!, '--child', file, '--format', format],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`verification failed: ${child.stderr}`);
    const r = JSON.parse(child.stdout) as {
      ok: boolean;
      records: number;
      runs: number;
      ms: number;
      cpuMs: number;
      maxRssKiB: number;
    };
    if (!r.ok) throw new Error('the generated export did not verify');
    console.log(
      `verify ${format}: ${r.records.toLocaleString('en-US')} records (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${(r.ms / 1000).toFixed(1)} s = ` +
        `${Math.round(r.records / (r.ms / 1000)).toLocaleString('en-US')} events/s (CPU ${(r.cpuMs / 1000).toFixed(1)} s); peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB; ${r.runs} sort runs spilled`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeExport(file: string, format: ExportFormat, events: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text + '\n')
      ? Promise.resolve()
      : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  let prev = chainSeed(KEY.bytes, JOURNAL).toString('hex');
  let head = prev;
  for (let seq = 1; seq <= events; seq++) {
    const event = {
      level: 'info',
      log_type: 'audit',
      time: T0 + Math.floor(seq / 100),
      action: 'user.login',
      message: 'audit',
      actor_id: `user-${seq % 977}`,
      actor_email: `user${seq % 977}@example.com`,
      remote_ip: '10.1.2.3',
      resource_id: `res-${seq}`,
    };
    const line = JSON.stringify(event);
    const chain = chainOf(KEY.bytes, prev, seq, event);
    const id = `${JOURNAL}-${seq}`;
    let text: string;
    if (format === 'elasticsearch') {
      text = JSON.stringify({
        _index: 'wirety-audit',
        _id: id,
        _source: {
          '@timestamp': new Date(event.time * 1000).toISOString(),
          wirety_ship: { event_id: id, seq, source: 'server', journal: JOURNAL, chain, chain_prev: prev },
          ...event,
        },
      });
    } else if (format === 'loki') {
      text = JSON.stringify({
        labels: { job: 'wirety', event_id: id, seq: String(seq), journal: JOURNAL, chain, chain_prev: prev },
        line,
        timestamp: new Date(event.time * 1000).toISOString(),
      });
    } else {
      text = JSON.stringify({
        preview: false,
        result: {
          _raw: line,
          sourcetype: 'wirety:audit',
          seq: String(seq),
          event_id: id,
          journal: JOURNAL,
          chain,
          chain_prev: prev,
        },
      });
    }
    await write(text);
    prev = chain;
    head = chain;
  }
  const checkpoint = signCheckpoint(KEY, {
    journal: JOURNAL,
    seq: events + 1,
    last_seq: events,
    count: events,
    head,
    skipped: [],
    time: new Date().toISOString(),
  });
  const cp = JSON.stringify(checkpoint);
  await write(
    format === 'elasticsearch'
      ? JSON.stringify({ _index: 'wirety-ship-checkpoints', _source: checkpoint })
      : format === 'loki'
        ? JSON.stringify({ labels: { wirety_ship_kind: 'checkpoint' }, line: cp })
        : JSON.stringify({ preview: false, result: { _raw: cp, sourcetype: 'wirety_ship:checkpoint' } }),
  );
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
