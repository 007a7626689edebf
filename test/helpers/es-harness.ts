/**
 * The Elasticsearch sink inside the real delivery loop (createSinkWorker + createHttpTransport)
 * against the faithful `_bulk` receiver, on the fake clock: `run(records)` delivers until every
 * record is committed, advancing the clock through each wait the loop asks for.
 */
import type { AuditRecord } from '../../src/audit/record.js';
import type { ElasticsearchSinkConfig } from '../../src/config/types.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import { createSinkWorker } from '../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats } from '../../src/observe/stats.js';
import { createElasticsearchCodec } from '../../src/sinks/elasticsearch/index.js';
import {
  startBulkReceiver,
  type BulkReceiver,
  type BulkReceiverOptions,
} from '../receivers/bulk-receiver.js';
import { createArrayCursor, type ArrayCursor } from './array-cursor.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createMemoryDeadLetter } from './memory-dead-letter.js';

/** The index every record of makeRecords() lands in. */
export const INDEX = 'wirety-audit-2025.05.23';

export function sinkConfig(
  url: string,
  overrides: Partial<ElasticsearchSinkConfig> = {},
): ElasticsearchSinkConfig {
  return {
    type: 'elasticsearch',
    name: 'es',
    url,
    index: 'wirety-audit-%Y.%m.%d',
    op: 'create',
    startup_check: false,
    timeout_ms: 5000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    auth: {},
    headers: {},
    batch: { max_events: 1000, max_bytes: 5 * 1024 * 1024, max_wait_ms: 1000 },
    retry: {
      initial_backoff_ms: 100,
      max_backoff_ms: 60_000,
      max_retry_after_ms: 300_000,
      max_network_backoff_ms: 60_000,
    },
    max_in_flight: 1,
    ...overrides,
  };
}

export interface EsHarness {
  readonly receiver: BulkReceiver;
  readonly clock: FakeClock;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
  readonly stats: ReturnType<typeof createStats>;
  /** Runs a worker over `records` (a fresh cursor, as after a restart) until all is committed. */
  run(
    records: readonly AuditRecord[],
    options?: { drive?: boolean },
  ): { cursor: ArrayCursor; done: Promise<void> };
  close(): Promise<void>;
}

export async function startEsHarness(
  overrides: Partial<ElasticsearchSinkConfig> = {},
  setup: { receiver?: BulkReceiverOptions; maxBodyBytes?: number } = {},
): Promise<EsHarness> {
  const receiver = await startBulkReceiver(setup.receiver);
  const config = sinkConfig(receiver.url, overrides);
  const transport = createHttpTransport({
    url: config.url,
    timeoutMs: config.timeout_ms,
    gzip: config.gzip,
    tls: config.tls,
    ...(setup.maxBodyBytes === undefined ? {} : { maxBodyBytes: setup.maxBodyBytes }),
  });
  const clock = createFakeClock();
  const deadLetter = createMemoryDeadLetter();
  const stats = createStats();
  const logger = createMemoryLogger();
  const controller = new AbortController();
  return {
    receiver,
    clock,
    logger,
    deadLetter,
    stats,
    run(records, { drive = true } = {}) {
      const cursor = createArrayCursor(records);
      const worker = createSinkWorker({
        runtime: {
          name: config.name,
          codec: createElasticsearchCodec(config),
          transport,
          batch: config.batch,
          retry: config.retry,
          maxInFlight: config.max_in_flight,
        },
        cursor,
        clock,
        random: () => 0.5,
        deadLetter,
        stats,
        logger,
      });
      const running = worker.run(controller.signal);
      return { cursor, done: drive ? driveClock(running, clock) : running };
    },
    async close() {
      controller.abort();
      await transport.close();
      await receiver.close();
    },
  };
}

/**
 * Every wait of the loop ends only when the clock is advanced: advance each one as it starts. A loop
 * that keeps waiting (a regression that retries forever) fails the test instead of hanging it.
 */
export async function driveClock(running: Promise<void>, clock: FakeClock, maxWaits = 200): Promise<void> {
  let finished = false;
  const end = running.then(() => {
    finished = true;
  });
  for (let waits = 0; !finished; waits++) {
    if (waits >= maxWaits) throw new Error(`delivery still waiting after ${maxWaits} clock waits`);
    const ms = await Promise.race([clock.nextSleep(), end.then(() => undefined)]);
    if (ms !== undefined) await clock.advance(ms);
  }
  await end;
}

/** The `_id`s stored in the 2025-05-23 index, sorted. */
export const storedIds = (receiver: BulkReceiver) =>
  [...receiver.documents.keys()].map((key) => key.slice(INDEX.length + 1)).sort();
/** The records' ids, sorted. */
export const ids = (records: readonly AuditRecord[]) => records.map((r) => r.id).sort();
