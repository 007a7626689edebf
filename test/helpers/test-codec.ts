/**
 * A trivial SinkCodec for testing the shared delivery loop against the scripted receiver: the body
 * is the records' lines as NDJSON, and replies are classified like a generic receiver would.
 *
 * Scriptable extras: 207 with {"retry":[i…],"rejected":[[i,"reason"]…],"blocked"?:"reason"} => partial;
 * 202 with {"ackId":N} => awaiting_ack (pair with createFakeAcknowledger); 429 with an
 * `x-split-after: N` header => a retry carrying splitAfter N.
 */
import type { AuditRecord } from '../../src/audit/record.js';
import type { BatchConfig, RetryConfig } from '../../src/config/types.js';
import type { DeadLetterSink } from '../../src/dead-letter/dead-letter.js';
import { createHttpTransport } from '../../src/transport/http-transport.js';
import type { HttpReply, Outcome } from '../../src/contract/outcome.js';
import { createSinkWorker, type SinkWorker } from '../../src/deliver/sink-worker.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createStats, sinkStats, type SinkStats, type Stats } from '../../src/observe/stats.js';
import type {
  AckAnswer,
  Acknowledger,
  Credentials,
  SinkCodec,
  SinkRequest,
  Transport,
} from '../../src/contract/sink.js';
import { createStdoutCodec } from '../../src/sinks/stdout/index.js';
import {
  startScriptedReceiver,
  type ReceivedRequest,
  type ScriptedReceiver,
  type ScriptedReply,
} from '../receivers/scripted-receiver.js';
import { createArrayCursor, type ArrayCursor } from './array-cursor.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';
import { createMemoryDeadLetter } from './memory-dead-letter.js';

export const TEST_PATH = '/ingest';

export function createTestCodec(): SinkCodec {
  const ndjson = createStdoutCodec();
  return {
    kind: 'stdout',
    encode(records: readonly AuditRecord[]): SinkRequest {
      // The stdout sink's body (one line per record), posted to the scripted receiver.
      const { body } = ndjson.encode(records);
      return { path: TEST_PATH, headers: { 'content-type': 'application/x-ndjson' }, body };
    },
    classify(reply: HttpReply): Outcome {
      if (reply.kind === 'network_error') {
        return { kind: 'retry', class: 'network', reason: `${reply.code}: ${reply.message}` };
      }
      if (reply.kind === 'timeout')
        return { kind: 'retry', class: 'timeout', reason: `no reply in ${reply.afterMs} ms` };
      const { status, body } = reply;
      const retryAfter = header(reply.headers['retry-after']);
      const withRetryAfter = retryAfter === undefined ? {} : { retryAfter };
      if (status === 202) {
        const { ackId } = JSON.parse(body) as { ackId: number };
        return { kind: 'awaiting_ack', ackId };
      }
      if (status === 207) {
        const parsed = JSON.parse(body) as {
          retry?: number[];
          rejected?: [number, string][];
          blocked?: string;
        };
        return {
          kind: 'partial',
          retry: parsed.retry ?? [],
          rejected: (parsed.rejected ?? []).map(([index, reason]) => ({ index, reason })),
          retryReason: 'some items must be retried',
          ...withRetryAfter,
          ...(parsed.blocked === undefined ? {} : { blockedReason: parsed.blocked }),
        };
      }
      if (status >= 200 && status < 300) return { kind: 'delivered' };
      if (status === 429) {
        const splitAfter = header(reply.headers['x-split-after']);
        return {
          kind: 'retry',
          class: 'rate_limited',
          reason: 'HTTP 429',
          ...withRetryAfter,
          ...(splitAfter === undefined ? {} : { splitAfter: Number(splitAfter) }),
        };
      }
      if (status >= 500)
        return { kind: 'retry', class: 'server_error', reason: `HTTP ${status}`, ...withRetryAfter };
      if (status === 401 || status === 403) return { kind: 'blocked', reason: `HTTP ${status}` };
      if (status === 413) return { kind: 'split', reason: 'HTTP 413' };
      if (status === 400 && body.startsWith('bisect:')) return { kind: 'bisect', reason: body };
      return { kind: 'rejected', reason: body || `HTTP ${status}` };
    },
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The lines of a request body sent by the test codec. */
export function decodeLines(body: Buffer): string[] {
  return body
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
}

export interface FakeAcknowledger extends Acknowledger {
  /** ackIds asked about, in order. */
  readonly waited: number[];
}

/** Answers each wait() with the next scripted answer (then true). */
export function createFakeAcknowledger(answers: AckAnswer[]): FakeAcknowledger {
  const waited: number[] = [];
  return {
    waited,
    wait(ackId, signal) {
      waited.push(ackId);
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      return Promise.resolve(answers.shift() ?? true);
    },
    close: () => Promise.resolve(),
  };
}

/*
 * A harness for delivery-loop tests: the scripted receiver (real socket), the real HTTP transport,
 * the test codec, the fake clock, the array cursor and the memory dead-letter, wired into one
 * sink worker. `exchanges` pairs every request's lines with the reply it got, so tests can check
 * that each event reached the receiver in exactly one successful request.
 */
export interface Exchange {
  readonly lines: string[];
  readonly reply: ScriptedReply;
}

export interface WorkerHarnessOptions {
  readonly records: readonly AuditRecord[];
  /** Default true: the cursor's input has ended. */
  readonly ended?: boolean;
  /** Decides each reply from the request's lines; default 204. */
  readonly reply?: (
    lines: string[],
    index: number,
    request: ReceivedRequest,
  ) => ScriptedReply | Promise<ScriptedReply>;
  readonly batch?: Partial<BatchConfig>;
  readonly retry?: Partial<RetryConfig>;
  readonly maxInFlight?: number;
  readonly timeoutMs?: number;
  /** Given to the transport (which sends them) and to the worker (which refreshes them). */
  readonly credentials?: Credentials;
  readonly acknowledger?: Acknowledger;
  readonly deadLetter?: DeadLetterSink;
  readonly random?: () => number;
  readonly source?: string;
  readonly name?: string;
  /** Wraps the real transport (e.g. to observe sends). */
  readonly wrapTransport?: (transport: Transport) => Transport;
  /** Wraps the test codec (e.g. to make encode throw for some records). */
  readonly wrapCodec?: (codec: SinkCodec) => SinkCodec;
  /**
   * A real sink's codec and its protocol receiver instead of the test codec and the line receiver
   * (`reply` and `exchanges` then do not apply). The harness closes the receiver.
   */
  readonly sink?: { readonly codec: SinkCodec; readonly receiver: ScriptedReceiver };
}

export interface WorkerHarness {
  readonly name: string;
  readonly receiver: ScriptedReceiver;
  readonly clock: FakeClock;
  readonly cursor: ArrayCursor;
  readonly deadLetter: ReturnType<typeof createMemoryDeadLetter>;
  readonly stats: Stats;
  readonly sink: SinkStats;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly worker: SinkWorker;
  readonly exchanges: Exchange[];
  /** Lines that reached the receiver in a 200/204 reply, in arrival order. */
  deliveredLines(): string[];
  /** Advances the fake clock through every sleep the worker asks for until `run` settles. */
  drive(run: Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export const defaultRetry: RetryConfig = {
  initial_backoff_ms: 100,
  max_backoff_ms: 1000,
  max_retry_after_ms: 60_000,
  max_network_backoff_ms: 1000,
};

export async function startWorkerHarness(options: WorkerHarnessOptions): Promise<WorkerHarness> {
  const exchanges: Exchange[] = [];
  const decide = options.reply ?? (() => ({ status: 204 }));
  const receiver =
    options.sink?.receiver ??
    (await startScriptedReceiver(async (request, index) => {
      const lines = decodeLines(request.body);
      const reply = await decide(lines, index, request);
      exchanges.push({ lines, reply });
      return reply;
    }));
  const name = options.name ?? 'test-sink';
  const clock = createFakeClock();
  const cursor = createArrayCursor(options.records, { ended: options.ended ?? true });
  const memoryDeadLetter = createMemoryDeadLetter();
  const stats = createStats();
  const logger = createMemoryLogger();
  const maxInFlight = options.maxInFlight ?? 1;
  const http = createHttpTransport({
    url: receiver.url,
    timeoutMs: options.timeoutMs ?? 5000,
    gzip: false,
    tls: { insecure_skip_verify: false },
    connections: maxInFlight,
    credentials: options.credentials,
  });
  const transport = options.wrapTransport ? options.wrapTransport(http) : http;
  const worker = createSinkWorker({
    runtime: {
      name,
      codec:
        options.sink?.codec ?? (options.wrapCodec ? options.wrapCodec(createTestCodec()) : createTestCodec()),
      transport,
      credentials: options.credentials,
      acknowledger: options.acknowledger,
      batch: { max_events: 100, max_bytes: 1024 * 1024, max_wait_ms: 1000, ...options.batch },
      retry: { ...defaultRetry, ...options.retry },
      maxInFlight,
    },
    cursor,
    clock,
    random: options.random ?? (() => 1),
    deadLetter: options.deadLetter ?? memoryDeadLetter,
    stats,
    logger,
    source: options.source,
  });
  const success = (reply: ScriptedReply): boolean =>
    'gate' in reply
      ? success(reply.then)
      : 'status' in reply && (reply.status === 200 || reply.status === 204);

  return {
    name,
    receiver,
    clock,
    cursor,
    deadLetter: memoryDeadLetter,
    stats,
    sink: sinkStats(stats, name),
    logger,
    worker,
    exchanges,
    deliveredLines: () => exchanges.filter((e) => success(e.reply)).flatMap((e) => e.lines),
    async drive(run) {
      let settled = false;
      const done = run.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        const ms = await Promise.race([clock.nextSleep(), done.then(() => undefined)]);
        if (ms === undefined) break;
        await clock.advance(ms);
      }
      await run;
    },
    async close() {
      await transport.close();
      await receiver.close();
    },
  };
}
