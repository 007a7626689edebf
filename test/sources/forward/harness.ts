/**
 * Test harness for the Forward input: a raw Fluent client (msgpack over a real socket, written
 * independently of the server's code) and a consumer that hands each batch to the test, which
 * decides when (and how) to settle it.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ExtData, decodeMultiStream, encode } from '@msgpack/msgpack';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import type { InputBatch } from '../../../src/sources/input.js';
import {
  createForwardInput,
  type ForwardInput,
  type ForwardOptions,
} from '../../../src/sources/forward/index.js';

/** EventTime as fixext8 (`d7 00` + seconds + nanoseconds), as fluent-logger-golang writes it. */
export function eventTime(seconds: number, nanoseconds: number): ExtData {
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  view.setUint32(0, seconds);
  view.setUint32(4, nanoseconds);
  return new ExtData(0, data);
}

/** The same EventTime as ext8 (`c7 08 00` + 8 bytes), which some encoders emit. */
export function eventTimeExt8(seconds: number, nanoseconds: number): Buffer {
  const out = Buffer.alloc(11);
  out[0] = 0xc7;
  out[1] = 0x08;
  out[2] = 0x00;
  out.writeUInt32BE(seconds, 3);
  out.writeUInt32BE(nanoseconds, 7);
  return out;
}

export const pack = (value: unknown): Buffer => Buffer.from(encode(value));

export interface RawClient {
  readonly socket: Socket;
  send(value: unknown): void;
  write(bytes: Buffer): boolean;
  /** Resolves with the next msgpack value the server sends (ack, HELO, PONG). */
  reply(): Promise<unknown>;
  /** Every value received so far. */
  readonly replies: unknown[];
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;
  end(): void;
}

export async function connectRaw(
  target: { port: number } | { path: string },
  tls?: ConnectionOptions,
): Promise<RawClient> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = tls
      ? tlsConnect(
          {
            host: '127.0.0.1',
            ...('port' in target ? { port: target.port } : { path: target.path }),
            ...tls,
          },
          () => resolve(s),
        )
      : 'port' in target
        ? netConnect({ host: '127.0.0.1', port: target.port }, () => resolve(s))
        : netConnect({ path: target.path }, () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  const replies: unknown[] = [];
  let waiters: ((v: unknown) => void)[] = [];
  let taken = 0;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void (async () => {
    try {
      for await (const value of decodeMultiStream(socket)) {
        replies.push(value);
        const w = waiters;
        waiters = [];
        for (const resolve of w) resolve(undefined);
      }
    } catch {
      // a reset connection ends the replies
    }
  })();
  return {
    socket,
    replies,
    closed,
    send: (value) => socket.write(pack(value)),
    write: (bytes) => socket.write(bytes),
    end: () => socket.end(),
    async reply() {
      while (replies.length <= taken) {
        await Promise.race([
          new Promise((resolve) => waiters.push(resolve)),
          closed.then(() => {
            throw new Error('connection closed before a reply');
          }),
        ]);
      }
      return replies[taken++];
    },
  };
}

export interface Harness {
  readonly input: ForwardInput;
  readonly port: number;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  /** The next batch the input hands out (the test settles it). */
  batch(): Promise<InputBatch>;
  /** Settles every batch `stored` as it comes, returning the texts of their lines. */
  readonly controller: AbortController;
  stop(): Promise<void>;
}

export async function startHarness(options: ForwardOptions = {}): Promise<Harness> {
  const logger = createMemoryLogger();
  const input = createForwardInput({ address: '127.0.0.1:0', logger, ...options });
  const bound = await input.listen();
  const controller = new AbortController();
  const iterator = input.batches(controller.signal)[Symbol.asyncIterator]();
  return {
    input,
    logger,
    controller,
    port: bound.kind === 'tcp' ? bound.port : 0,
    async batch() {
      const next = await iterator.next();
      if (next.done) throw new Error('the input ended');
      return next.value;
    },
    async stop() {
      controller.abort();
      await input.close();
    },
  };
}

/** Texts of a batch's lines (fails on a line that is not plain text). */
export function texts(batch: InputBatch): string[] {
  return batch.lines.map((line) =>
    line.framed.kind === 'line' ? line.framed.text : `<${line.framed.kind}>`,
  );
}

/** Takes batches, settling each `stored`, until `count` lines have come. */
export async function collectLines(harness: Harness, count: number): Promise<InputBatch['lines'][number][]> {
  const lines: InputBatch['lines'][number][] = [];
  while (lines.length < count) {
    const batch = await harness.batch();
    lines.push(...batch.lines);
    await batch.settled('stored');
  }
  return lines;
}

/** Polls a condition on each turn of the event loop (no wall-clock waits). */
export async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}
