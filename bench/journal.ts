/**
 * Journal benchmark: `node --import tsx bench/journal.ts [records]`.
 * 1. Append throughput (records/s, MB/s of lines) with ~250-byte lines in batches of 250, for the
 *    memory log and the disk journal with fsync never and interval, with no sink (append cost only)
 *    and with one live sink taking and committing as it goes.
 * 2. A ~1.3 GiB journal (5,000,000 lines, the sink dead: nothing committed): peak RSS while writing,
 *    then the time from open to the first record read, at the oldest record and mid-segment.
 * Everything is written under a temp dir that is removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcceptedEvent, AuditEvent } from '../src/audit/record.js';
import { systemClock } from '../src/clock.js';
import { createDiskJournal } from '../src/journal/disk/disk-journal.js';
import type { EventLog } from '../src/journal/event-log.js';
import { createMemoryLog } from '../src/journal/memory-log.js';
import { createLogger } from '../src/observe/logger.js';

const total = Number(process.argv[2] ?? 1_000_000);
const batchSize = 250;
const logger = createLogger({ level: 'warn', format: 'text' });
const root = mkdtempSync(join(tmpdir(), 'wirety-journal-bench-'));
let peakRss = 0;
const sampleRss = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const mib = (n: number): string => (n / 1024 / 1024).toFixed(1);

/** A pool of distinct ~250-byte audit lines, cycled. */
const pool: AcceptedEvent[] = Array.from({ length: 1000 }, (_, i) => {
  const line = JSON.stringify({
    level: 'info',
    log_type: 'audit',
    time: 1_748_000_000 + i,
    actor_id: `user-${i % 97}`,
    actor_email: `user-${i % 97}@example.com`,
    remote_ip: `10.0.${i % 255}.${(i * 7) % 255}`,
    action: 'peer.update',
    network_id: 'net-abc123',
    peer_id: `peer-${i}`,
    peer_name: `office-laptop-${i}`,
    message: 'audit',
  });
  return {
    line,
    bytes: Buffer.byteLength(line),
    event: JSON.parse(line) as AuditEvent,
    source: 'server',
    receivedAtMs: Date.now(),
  };
});
const batches = Array.from({ length: pool.length / batchSize }, (_, i) =>
  pool.slice(i * batchSize, (i + 1) * batchSize),
);
const lineBytes = pool.reduce((n, e) => n + e.bytes, 0) / pool.length;

async function appendAll(log: EventLog, n: number, consume: boolean): Promise<number> {
  let consumer: Promise<void> = Promise.resolve();
  if (consume) {
    const cursor = log.cursor('live');
    consumer = (async () => {
      const signal = new AbortController().signal;
      while (!cursor.drained) {
        await cursor.waitForRecords(signal);
        const got = await cursor.take(1000, 4 << 20);
        if (got.length > 0) await cursor.commit(got.at(-1)!.seq);
      }
    })();
  }
  const start = process.hrtime.bigint();
  for (let i = 0; i < n / batchSize; i++) {
    await log.append(batches[i % batches.length]!);
    if (i % 200 === 0) sampleRss();
  }
  log.endInput();
  await consumer;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await log.close();
  return seconds;
}

async function throughput(): Promise<void> {
  console.log(
    `append throughput: ${total} records of ~${lineBytes.toFixed(0)} bytes, batches of ${batchSize}`,
  );
  const kinds = ['memory', 'disk fsync never', 'disk fsync interval (1s)'] as const;
  for (const consume of [false, true]) {
    for (const kind of kinds) {
      const sinkNames = consume ? ['live'] : [];
      const dir = mkdtempSync(join(root, 'tp-'));
      const log: EventLog =
        kind === 'memory'
          ? createMemoryLog({ sinkNames, maxBytes: 512 << 20, whenFull: 'block' })
          : await createDiskJournal({
              dir,
              sinkNames,
              fsync: kind === 'disk fsync never' ? 'never' : 'interval',
              fsyncIntervalMs: 1000,
              maxBytes: 8 * 2 ** 30,
              segmentBytes: 64 << 20,
              whenFull: 'block',
              newSinkStart: 'head',
              clock: systemClock,
              logger,
            });
      const seconds = await appendAll(log, total, consume);
      const rate = total / seconds;
      console.log(
        `  ${kind.padEnd(26)} ${consume ? 'with a live sink' : 'append only     '}  ` +
          `${Math.round(rate).toLocaleString('en').padStart(10)} records/s  ${((rate * lineBytes) / 1e6).toFixed(1).padStart(6)} MB/s`,
      );
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function bigJournal(): Promise<void> {
  const lines = 5_000_000;
  const dir = join(root, 'big');
  const options = {
    dir,
    fsync: 'never' as const,
    fsyncIntervalMs: 1000,
    maxBytes: 8 * 2 ** 30,
    segmentBytes: 64 << 20,
    whenFull: 'block' as const,
    newSinkStart: 'oldest' as const,
    clock: systemClock,
    logger,
  };
  peakRss = 0;
  const writer = await createDiskJournal({ ...options, sinkNames: ['dead', 'mid'] });
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines / batchSize; i++) {
    await writer.append(batches[i % batches.length]!);
    if (i % 200 === 0) sampleRss();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const writePeak = peakRss;
  // 'mid' has delivered about a third and a half segment: its next record is mid-segment.
  const mid = writer.cursor('mid');
  const target = Math.floor(lines / 3) + 60_000;
  const readStart = process.hrtime.bigint();
  let read = 0;
  for (let got = await mid.take(1000, 1 << 30); got.length > 0 && got.at(-1)!.seq < target;) {
    read += got.length;
    await mid.commit(got.at(-1)!.seq);
    got = await mid.take(1000, 1 << 30);
    if (read % 100_000 === 0) sampleRss();
  }
  const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
  await writer.close();
  const size = writer.stats().bytes;
  console.log(
    `big journal: ${lines.toLocaleString('en')} lines, ${mib(size)} MiB on disk, written in ${seconds.toFixed(1)} s ` +
      `with a dead sink holding everything: peak RSS ${mib(writePeak)} MiB`,
  );
  console.log(
    `  a sink reading ${read.toLocaleString('en')} records from segment files: ` +
      `${Math.round(read / readSeconds).toLocaleString('en')} records/s, peak RSS ${mib(peakRss)} MiB`,
  );

  for (const sink of ['dead', 'mid']) {
    const t0 = process.hrtime.bigint();
    const journal = await createDiskJournal({ ...options, sinkNames: ['dead', 'mid'] });
    const opened = process.hrtime.bigint();
    const first = await journal.cursor(sink).take(1, 1 << 20);
    const read = process.hrtime.bigint();
    sampleRss();
    console.log(
      `  open ${(Number(opened - t0) / 1e6).toFixed(0)} ms + first read ${(Number(read - opened) / 1e6).toFixed(0)} ms ` +
        `(sink "${sink}", first seq ${first[0]?.seq})`,
    );
    await journal.close();
  }
  console.log(`  peak RSS overall ${mib(peakRss)} MiB`);
}

try {
  console.log(`RSS at start ${mib(process.memoryUsage.rss())} MiB (under tsx, its loader adds ~34 MiB)`);
  await bigJournal();
  await throughput();
} finally {
  rmSync(root, { recursive: true, force: true });
}
