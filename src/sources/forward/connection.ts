/**
 * One client connection: bytes → msgpack frames → (handshake) → decoded requests, in order.
 *
 * - Frames are cut by the frame scanner (no frame over `max_request_bytes`) and decoded one after
 *   the other on a promise chain, so requests reach the queue in the order they were sent even
 *   when one needs an asynchronous gunzip.
 * - Flow control: the bytes of this connection's requests count until their batch is settled;
 *   at `queue_high_water_bytes` (or when all connections together hold `maxHeldBytes`) the socket
 *   is paused, so a journal that stops taking batches stops
 *   the reads and TCP backpressure reaches the client. Shutdown pauses it for good.
 * - Any protocol error closes this connection only (a warn log naming the peer and the reason);
 *   requests already queued stay queued, and nothing is acked that was not settled `stored`.
 * - A batch settled `unstored` closes the connection: the client re-sends every unacked request,
 *   and no later ack can overtake the missing one.
 */
import type { Socket } from 'node:net';
import type { Encoder } from '@msgpack/msgpack';
import type { Logger } from '../../observe/logger.js';
import type { InputLine } from '../input.js';
import { ForwardProtocolError, type DecodedRequest, type RequestDecoder } from './decode-request.js';
import { FrameError, createFrameScanner } from './frame-scanner.js';
import type { ServerHandshake } from './handshake.js';

/** A decoded request waiting for (or in) a batch. */
export interface QueuedRequest {
  readonly connection: ForwardConnection | undefined;
  readonly source: string;
  readonly lines: readonly InputLine[];
  readonly chunk?: string;
  /** Bytes this request holds in memory (its frame), counted for flow control until settled. */
  readonly bytes: number;
}

export interface ConnectionContext {
  readonly decoder: RequestDecoder;
  readonly encoder: Encoder;
  readonly logger: Logger;
  readonly inputName: string;
  readonly maxRequestBytes: number;
  readonly highWaterBytes: number;
  /** All connections together: past this, every socket is paused. */
  readonly maxHeldBytes: number;
  heldBytes(): number;
  hold(delta: number): void;
  now(): number;
  /** Turns a decoded request into lines (stream filter, partial pieces…). */
  linesOf(
    connection: ForwardConnection,
    request: Extract<DecodedRequest, { kind: 'events' }>,
    offset: number,
  ): InputLine[];
  enqueue(request: QueuedRequest): void;
  isStopping(): boolean;
  onClosed(connection: ForwardConnection): void;
  readonly counters: { heartbeats: number; acks: number; protocol_errors: number };
}

export interface ForwardConnection {
  readonly peer: string;
  readonly source: string;
  /** Events seen on this connection so far (numbers the lines). */
  nextLineNumber(): number;
  lastActivity(): number;
  /** True while requests of this connection are being decoded, queued or in a batch. */
  busy(): boolean;
  /** The batch holding `request` is settled: ack (stored) or give up the connection (unstored). */
  settled(request: QueuedRequest, outcome: 'stored' | 'unstored'): void;
  /** Re-evaluates pause/resume (after shutdown starts). */
  refreshFlow(): void;
  /** Resolves once every frame received so far is decoded and queued. */
  drained(): Promise<void>;
  /** Closes after flushing the acks already written. */
  end(): void;
  close(reason: string, level: 'info' | 'warn'): void;
}

export function attachConnection(
  socket: Socket,
  peer: string,
  ctx: ConnectionContext,
  handshake: ServerHandshake | undefined,
): ForwardConnection {
  const scanner = createFrameScanner({ maxFrameBytes: ctx.maxRequestBytes });
  const fields = { input: ctx.inputName, peer };
  let heldBytes = 0;
  const hold = (delta: number): void => {
    heldBytes += delta;
    ctx.hold(delta);
  };
  let pendingRequests = 0;
  let streamOffset = 0;
  let lineNumber = 0;
  let lastActivity = ctx.now();
  let closed = false;
  let authenticated = handshake === undefined;
  let work: Promise<void> = Promise.resolve();
  let peerEnded = false;
  const endIfDone = (): void => {
    if (peerEnded && pendingRequests === 0) connection.end();
  };

  const connection: ForwardConnection = {
    peer,
    source: `forward:${peer}`,
    nextLineNumber: () => ++lineNumber,
    lastActivity: () => lastActivity,
    busy: () => pendingRequests > 0 || heldBytes > 0,
    settled(request, outcome) {
      hold(-request.bytes);
      pendingRequests--;
      if (outcome === 'stored') {
        if (request.chunk !== undefined && !closed) {
          ctx.counters.acks++;
          socket.write(ctx.encoder.encode({ ack: request.chunk }));
        }
      } else if (!closed) {
        connection.close(
          'a request could not be journaled (shutdown); the client re-sends what was not acked',
          'info',
        );
      }
      connection.refreshFlow();
      endIfDone();
    },
    refreshFlow() {
      if (closed) return;
      if (ctx.isStopping() || heldBytes >= ctx.highWaterBytes || ctx.heldBytes() >= ctx.maxHeldBytes)
        socket.pause();
      else socket.resume();
    },
    drained: () => work,
    end() {
      if (closed) return;
      closed = true;
      socket.end(() => socket.destroy());
    },
    close(reason, level) {
      if (closed) return;
      closed = true;
      ctx.logger[level](`forward: closing the connection from ${peer}: ${reason}`, fields);
      socket.destroy();
    },
  };

  const fail = (error: unknown): void => {
    if (error instanceof ForwardProtocolError || error instanceof FrameError) {
      ctx.counters.protocol_errors++;
      connection.close(error.message, 'warn');
      return;
    }
    connection.close(`internal error: ${(error as Error).message}`, 'warn');
  };

  /** Handles one frame; true when it became a queued request (which then holds its bytes). */
  const handle = async (frame: Buffer, offset: number): Promise<boolean> => {
    if (closed) return false;
    if (!authenticated && handshake) {
      const verdict = handshake.answer(ctx.decoder.decodeValue(frame));
      socket.write(ctx.encoder.encode(verdict.pong));
      if (!verdict.ok) {
        ctx.counters.protocol_errors++;
        ctx.logger.warn(
          `forward: closing the connection from ${peer}: handshake refused (${verdict.reason})`,
          fields,
        );
        closed = true;
        socket.end(() => socket.destroy());
        return false;
      }
      authenticated = true;
      return false;
    }
    const request = await ctx.decoder.decode(frame);
    if (closed) return false;
    if (request.kind === 'heartbeat') {
      ctx.counters.heartbeats++;
      return false;
    }
    const lines = ctx.linesOf(connection, request, offset);
    pendingRequests++;
    ctx.enqueue({
      connection,
      source: connection.source,
      lines,
      ...(request.chunk !== undefined ? { chunk: request.chunk } : {}),
      bytes: frame.length,
    });
    return true;
  };

  // A frame's bytes count from the moment it is cut; they are released here unless a queued
  // request took them over (released in `settled`), so a refused or closed connection leaks none.
  const handleFrame = async (frame: Buffer, offset: number): Promise<void> => {
    let queued = false;
    try {
      queued = await handle(frame, offset);
    } finally {
      if (!queued) hold(-frame.length);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (closed) return;
    lastActivity = ctx.now();
    let frames: Buffer[];
    try {
      frames = scanner.push(chunk);
    } catch (error) {
      fail(error);
      return;
    }
    for (const frame of frames) {
      const offset = streamOffset;
      streamOffset += frame.length;
      hold(frame.length);
      work = work.then(() => handleFrame(frame, offset)).catch(fail);
    }
    connection.refreshFlow();
  });
  // The server allows half-open sockets: a client may send, end its side, and still read its acks.
  socket.on('end', () => {
    peerEnded = true;
    if (scanner.bufferedBytes > 0 && !closed) {
      ctx.counters.protocol_errors++;
      connection.close(
        `the client ended the connection in the middle of a request (${scanner.bufferedBytes} bytes of it received)`,
        'warn',
      );
      return;
    }
    void work.then(endIfDone);
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    ctx.logger.debug(`forward: connection from ${peer}: ${error.code ?? error.message}`, fields);
  });
  socket.on('close', () => {
    closed = true;
    ctx.onClosed(connection);
  });
  if (handshake) socket.write(ctx.encoder.encode(handshake.helo));
  return connection;
}
