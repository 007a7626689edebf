/**
 * The Splunk HEC sink as the CLI builds it (sinks/create-sink.ts: channel, sticky transport,
 * token-file credentials, acknowledger) run by the shared delivery loop against the HEC test
 * receiver on a socket, with a fake clock the test drives through every sleep.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Writable } from 'node:stream';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { BatchConfig, SplunkHecSinkConfig } from '../../../src/config/types.js';
import { createSinkWorker } from '../../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createStats, sinkStats, type SinkStats, type Stats } from '../../../src/observe/stats.js';
import { createOutputStream } from '../../../src/sinks/stdout/output-stream.js';
import { createSinkRuntime } from '../../../src/sinks/create-sink.js';
import type { HecAckMode } from '../../../src/sinks/splunk-hec/ack-fallback.js';
import { createArrayCursor } from '../../helpers/array-cursor.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';
import { createMemoryDeadLetter } from '../../helpers/memory-dead-letter.js';
import { makeRecords } from '../../helpers/records.js';
import { startHecReceiver, type HecReceiver, type HecReceiverOptions } from '../../receivers/hec-receiver.js';

export const TOKEN = '3f1e9c1a-hec-delivery-token';
export const MAX_BACKOFF_MS = 30_000;
export const POLL_MS = 1_000;
export const ACK_TIMEOUT_MS = 10_000;
export const SINK = 'splunk';

/** Real time the sink may spend neither finishing nor sleeping before the test fails as stuck. */
const STUCK_MS = 5_000;
/** Sleeps driven before a run that should have ended fails as looping (e.g. re-posting forever). */
const MAX_SLEEPS = 500;

export interface HecHarnessOptions {
  readonly ack?: HecAckMode;
  readonly gzip?: boolean;
  /** The token the sink reads from its token file; default the receiver's. */
  readonly fileToken?: string;
  /** Receiver options besides token and ack (the receiver's ack follows `ack` unless given). */
  readonly receiver?: Omit<HecReceiverOptions, 'token'>;
  readonly batch?: Partial<BatchConfig>;
  readonly maxInFlight?: number;
  /** The sink's extra `headers`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HecHarness {
  readonly receiver: HecReceiver;
  readonly clock: FakeClock;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
  readonly stats: Stats;
  readonly sink: SinkStats;
  readonly commits: number[];
  readonly tokenFile: string;
  /** Runs the sink over `count` records (or these records) until it has committed them all. */
  run(count: number | readonly AuditRecord[]): Promise<void>;
  /** Drives the clock until `until` holds (while `run` is in progress). */
  driveUntil(until: () => boolean): Promise<void>;
  /** Event posts (not ack polls) the receiver got. */
  eventRequests(): HecReceiver['requests'];
  close(): Promise<void>;
}

export function hecConfig(url: string, tokenFile: string, options: HecHarnessOptions): SplunkHecSinkConfig {
  const ack = options.ack ?? 'off';
  return {
    type: 'splunk_hec',
    name: SINK,
    url,
    timeout_ms: 5_000,
    gzip: options.gzip ?? false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: options.headers ?? {},
    token_file: tokenFile,
    batch: { max_events: 5, max_bytes: 1 << 20, max_wait_ms: 1_000, ...options.batch },
    retry: {
      initial_backoff_ms: 200,
      max_backoff_ms: MAX_BACKOFF_MS,
      max_retry_after_ms: 60_000,
      max_network_backoff_ms: MAX_BACKOFF_MS,
    },
    max_in_flight: options.maxInFlight ?? 1,
    host: 'ship-1',
    source: 'wirety',
    sourcetype: 'wirety:audit',
    indexed_fields: ['action'],
    metadata_fields: [
      'namespace',
      'pod',
      'pod_uid',
      'container',
      'node',
      'container_name',
      'container_id',
      'tag',
    ],
    ack: {
      enabled: ack !== 'off',
      poll_interval_ms: POLL_MS,
      timeout_ms: ACK_TIMEOUT_MS,
      required: ack === 'required',
    },
  };
}

export async function startHecHarness(dir: string, options: HecHarnessOptions = {}): Promise<HecHarness> {
  const receiver = await startHecReceiver({
    ack: (options.ack ?? 'off') !== 'off',
    ...options.receiver,
    token: TOKEN,
  });
  const tokenFile = `${dir}/token-${Math.random().toString(36).slice(2)}`;
  await writeFile(tokenFile, (options.fileToken ?? TOKEN) + '\n');
  const config = hecConfig(receiver.url, tokenFile, options);
  const clock = createFakeClock();
  const logger = createMemoryLogger();
  const deadLetter = createMemoryDeadLetter();
  const stats = createStats();
  const stdout = createOutputStream(new Writable({ write: (_chunk, _encoding, done) => done() }));
  const runtime = createSinkRuntime(config, { clock, logger, stdout });
  const commits: number[] = [];
  const sleepCursor = { next: 0 };

  const driveUntil = async (until: () => boolean): Promise<void> => {
    let since = Date.now();
    while (!until()) {
      if (sleepCursor.next >= MAX_SLEEPS) {
        throw new Error(
          `looping: ${MAX_SLEEPS} sleeps and still not done (${receiver.requests.length} requests)`,
        );
      }
      if (sleepCursor.next < clock.sleeps.length) {
        await clock.advance(clock.sleeps[sleepCursor.next++]!);
        since = Date.now();
      } else if (Date.now() - since > STUCK_MS) {
        throw new Error(
          `stuck: the sink neither finished nor slept (sleeps so far: ${clock.sleeps.join(', ')})`,
        );
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };

  return {
    receiver,
    clock,
    logger,
    deadLetter,
    stats,
    sink: sinkStats(stats, SINK),
    commits,
    tokenFile,
    driveUntil,
    eventRequests: () => receiver.requests.filter((r) => r.url === '/services/collector/event'),
    async run(count) {
      const cursor = createArrayCursor(typeof count === 'number' ? makeRecords(count) : count);
      const worker = createSinkWorker({
        runtime,
        cursor,
        clock,
        random: () => 0.5,
        deadLetter,
        stats,
        logger,
      });
      let done = false;
      const running = worker.run(new AbortController().signal).finally(() => (done = true));
      await driveUntil(() => done);
      await running;
      commits.push(...cursor.commits);
    },
    async close() {
      await runtime.close();
      await receiver.close();
    },
  };
}

/** The `event_id`s the receiver stored, in arrival order. */
export const storedIds = (receiver: HecReceiver) => receiver.events.map((e) => e.fields?.event_id);
/** The ids of `makeRecords(n)`, in order. */
export const expectedIds = (n: number) => makeRecords(n).map((r) => r.id);

/**
 * For a test file: a temp dir for token files made before its tests and removed after them, and
 * `withHarness`, which runs one test against a fresh harness and always closes it.
 */
export function useHecHarnesses(prefix: string) {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return async function withHarness(
    options: HecHarnessOptions,
    test: (h: HecHarness) => Promise<void>,
  ): Promise<void> {
    const h = await startHecHarness(dir, options);
    try {
      await test(h);
    } finally {
      await h.close();
    }
  };
}
