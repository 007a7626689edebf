/**
 * The contract between an input (stdin, tailed container log files, a Fluent Forward listener) and
 * ingest, which classifies each line and appends the accepted ones to the journal.
 *
 * Invariants every input keeps:
 * - A line reaches ingest as a `FramedLine` (see line-framer.ts): valid UTF-8 text, or its exact
 *   bytes when it is not, or a prefix and its real length when it is over `max_line_bytes`. Inputs
 *   that receive lines already cut (Forward records, CRI/json-file entries) build the same shapes,
 *   so every input's bad lines are dead-lettered the same way.
 * - An input hands over lines in batches and moves its own durable position (a file offset, a
 *   Forward ack) only in `settled`, which ingest calls once every line of the batch is journaled
 *   (fsynced under `fsync: always`) or dead-lettered. A batch settled `unstored` (shutdown while
 *   the journal was full) must be read again or re-sent: the input must not move past it.
 * - Batches are settled in the order they were handed over.
 */
import type { InputRejectReason } from '../contract/dead-letter-record.js';
import type { FramedLine } from './line-framer.js';

/** Where an input line came from, attached to its event without changing the line itself. */
export type LineMetadata = Readonly<Record<string, string>>;

export interface InputLine {
  readonly framed: FramedLine;
  /**
   * A stable event id chosen by the input, the same when the line is read again after a crash
   * (e.g. file identity + byte offset of the line's first byte), so receivers de-duplicate re-sent
   * events. Absent: the journal derives one from its own identity and the sequence number.
   */
  readonly id?: string;
  /** e.g. Kubernetes namespace/pod/container from the log path, Docker's container_name. */
  readonly metadata?: LineMetadata;
  /**
   * Set when the input already knows the line cannot be an event (e.g. a partial line whose last
   * piece never came): ingest dead-letters it with this reason and detail instead of classifying it.
   */
  readonly rejected?: { readonly reason: InputRejectReason; readonly detail: string };
}

export interface InputBatch {
  /** Dead-letter `source` for these lines, e.g. "stdin", "file:/var/log/pods/…/0.log", "forward:10.0.0.5:51234". */
  readonly source: string;
  readonly lines: readonly InputLine[];
  /**
   * Called once, in batch order, after ingest has finished with every line: `stored` when each is
   * journaled or dead-lettered, `unstored` when shutdown stopped the journal append (the input
   * must not advance past these lines). May return a promise (e.g. a position write) that ingest awaits.
   */
  settled(outcome: 'stored' | 'unstored'): void | Promise<void>;
  /** Overrides the input's `redelivers` for this batch (a Forward request sent without `chunk` is never re-sent). */
  readonly redelivers?: boolean;
}

export interface Input {
  /** The input's name in the config's `inputs:` map (also names its position file). */
  readonly name: string;
  /**
   * True when lines of a batch settled `unstored` come back by themselves after a restart (a file
   * is read again from its committed position; a Forward client re-sends what was not acked):
   * ingest then leaves them to the input. False (stdin) when nothing would bring them back: ingest
   * dead-letters them as `undelivered_at_shutdown`, so they are not lost.
   */
  readonly redelivers: boolean;
  /**
   * Batches until the input ends (a finite input, e.g. stdin at EOF) or `signal` aborts. Reading
   * the next batch waits until the previous one is settled, so a full journal pauses the input.
   */
  batches(signal: AbortSignal): AsyncIterable<InputBatch>;
  /** Releases files, sockets and timers; idempotent. */
  close(): Promise<void>;
}
