/**
 * Ingest: input bytes → lines → one verdict per line → journal or dead-letter file.
 *
 * Invariants (the input half of the delivery contract):
 * - Every input line lands in exactly one counted bucket: valid, not_audit, not_json, empty or
 *   invalid (stats.verdicts); framing failures (over-long line, invalid UTF-8) count as invalid.
 * - Every dead-letter record written here says where its line is in the input (line_number,
 *   byte_offset), so the operator can find it in the source.
 * - The next chunk is taken only after this chunk's accepted events are appended to the journal
 *   and its rejected lines are in the dead-letter file: backpressure reaches the writer, and a
 *   crash loses nothing that was processed. (Node's stream has read at most one more chunk from
 *   the pipe meanwhile; see README "Delivery guarantees".)
 * - Every wait ends once `signal` aborts (shutdown): the journal returns what it did not store
 *   (dead-lettered as undelivered_at_shutdown), and a dead-letter write the disk keeps refusing
 *   gives up and is counted as dead_letter_failed. Nothing is left uncounted.
 * - Passthrough copies the input bytes unchanged, chunk by chunk, after they are processed.
 */
import type { AcceptedEvent } from '../audit/record.js';
import type { Classification } from '../audit/classify.js';
import type { AuditConfig } from '../config/types.js';
import type { DeadLetterRecord, DeadLetterSink } from '../dead-letter/dead-letter.js';
import { framingRecord, inputLineRecord, verdictRecord } from '../dead-letter/records.js';
import { writeCounted } from '../dead-letter/write-counted.js';
import type { EventLog } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import type { Stats } from '../observe/stats.js';
import { createLineFramer, type FramedLine } from '../sources/line-framer.js';

/** A framed line of valid UTF-8. */
type TextLine = Extract<FramedLine, { kind: 'line' }>;

export interface IngestOptions {
  readonly input: AsyncIterable<Buffer | string>;
  /** Dead-letter `source` label, e.g. "stdin". */
  readonly sourceName: string;
  readonly maxLineBytes: number;
  readonly classify: (line: string) => Classification;
  readonly audit: AuditConfig;
  readonly log: EventLog;
  readonly deadLetter: DeadLetterSink;
  readonly stats: Stats;
  readonly logger: Logger;
  readonly now: () => number;
  /** Copies a chunk to stdout; resolves once stdout took it, failed, or reading was stopped. */
  readonly passthrough?: (chunk: Buffer) => Promise<unknown>;
  /** Aborting stops reading (shutdown); ingest then resolves after the current chunk. */
  readonly signal: AbortSignal;
}

/** Resolves at end of input or once `signal` aborts; true when the input was read to its end. */
export async function runIngest(options: IngestOptions): Promise<boolean> {
  const framer = createLineFramer({ maxLineBytes: options.maxLineBytes });
  const handle = createLineHandler(options);
  const iterator = options.input[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await nextOrAbort(iterator, options.signal);
      if (next === 'aborted') return false;
      if (next.done) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      options.stats.inputBytes += chunk.length;
      await handle(framer.push(chunk));
      if (options.passthrough) await options.passthrough(chunk);
    }
    await handle(framer.end());
    return true;
  } finally {
    // Stops the underlying stream (e.g. stdin) when we leave early.
    void iterator.return?.();
  }
}

/**
 * The next chunk, or 'aborted' once the signal fires. The abort promise is made per call and its
 * listener removed after: racing every chunk against one long-lived pending promise would chain a
 * reaction (holding that chunk) onto it per iteration, a leak of the whole input.
 */
async function nextOrAbort<T>(
  iterator: AsyncIterator<T>,
  signal: AbortSignal,
): Promise<IteratorResult<T> | 'aborted'> {
  if (signal.aborted) return 'aborted';
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([iterator.next(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

function createLineHandler(options: IngestOptions): (lines: FramedLine[]) => Promise<void> {
  const { stats, audit, sourceName } = options;
  const warnedActions = new Set<string>();

  /** Writes and counts; a write that shutdown cut short (full disk) counts as dead_letter_failed. */
  const deadLetter = (records: readonly DeadLetterRecord[]): Promise<void> =>
    writeCounted(options.deadLetter, records, stats, options.signal);

  /** Shutdown came while the journal was full: what was read but not journaled goes to the dead-letter file. */
  const deadLetterUnstored = async (lines: readonly TextLine[]): Promise<void> => {
    stats.unjournaled += lines.length;
    await deadLetter(
      lines.map((line) =>
        inputLineRecord(
          line,
          'undelivered_at_shutdown',
          'read, but not journaled: the journal was full when wirety-ship was stopped (when_full: block)',
          sourceName,
        ),
      ),
    );
  };

  return async (lines) => {
    if (lines.length === 0) return;
    const accepted: AcceptedEvent[] = [];
    const acceptedAt: TextLine[] = [];
    const dead: DeadLetterRecord[] = [];
    const receivedAtMs = options.now();
    stats.linesRead += lines.length;

    for (const framed of lines) {
      if (framed.kind !== 'line') {
        stats.verdicts.invalid++; // the framer refused it: too long, or not UTF-8
        dead.push(framingRecord(framed, options.maxLineBytes, sourceName));
        continue;
      }
      const c = options.classify(framed.text);
      switch (c.verdict) {
        case 'not_audit':
          stats.verdicts.not_audit++;
          break;
        case 'empty':
          stats.verdicts.empty++;
          break;
        case 'not_json':
          stats.verdicts.not_json++;
          if (audit.not_json === 'dead_letter') dead.push(verdictRecord(framed, c, sourceName));
          break;
        case 'invalid':
          stats.verdicts.invalid++;
          dead.push(verdictRecord(framed, c, sourceName));
          break;
        case 'valid':
          if (!c.knownAction) {
            stats.unknownActions++;
            const action = c.event.action;
            if (!warnedActions.has(action) && warnedActions.size < 1000) {
              warnedActions.add(action);
              options.logger.warn('unknown audit action (warned once per action)', {
                action,
                policy: audit.unknown_actions,
              });
            }
            if (audit.unknown_actions === 'dead_letter') {
              stats.verdicts.invalid++;
              dead.push(
                inputLineRecord(
                  framed,
                  'unknown_action',
                  `action "${action}" is not in the event catalogue (audit.unknown_actions: dead_letter)`,
                  sourceName,
                ),
              );
              break;
            }
          }
          stats.verdicts.valid++;
          accepted.push({
            line: framed.text,
            bytes: framed.bytes,
            event: c.event,
            source: c.source,
            receivedAtMs,
          });
          acceptedAt.push(framed);
          break;
      }
    }

    const deadWritten = dead.length > 0 ? deadLetter(dead) : undefined;
    void deadWritten?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    if (accepted.length > 0) {
      const result = await options.log.append(accepted, options.signal);
      stats.journaled += result.stored.length;
      stats.droppedFull += result.dropped;
      if (result.unstored > 0) {
        const from = accepted.length - result.unstored;
        await deadLetterUnstored(acceptedAt.slice(from));
      }
    }
    await deadWritten;
  };
}
