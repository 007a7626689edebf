/**
 * Ingest: an input's batches of lines → one verdict per line → journal or dead-letter file.
 *
 * Invariants (the input half of the delivery contract):
 * - Every input line lands in exactly one counted bucket: valid, not_audit, not_json, empty or
 *   invalid (stats.verdicts); framing failures (over-long line, invalid UTF-8) and lines the input
 *   itself refused (InputLine.rejected: a torn partial line, a bad CRI record…) count as invalid.
 * - Every dead-letter record written here says where its line is in the input (source,
 *   line_number, byte_offset), so the operator can find it in the source.
 * - A batch is settled only after its accepted events are appended to the journal and its
 *   rejected lines are in the dead-letter file, and the next batch is taken only after that:
 *   backpressure reaches the input (a file stops being read, a Forward socket is paused, stdin is
 *   not read), an input moves its durable position (file offset, Forward ack) only past what is
 *   stored, and a crash loses nothing that was processed.
 * - Every wait ends once `signal` aborts (shutdown): the journal returns what it did not store and
 *   the batch is settled `unstored`. Those events are left to the input when it brings them back
 *   by itself (a file is read again, a Forward client re-sends: `redelivers`), else dead-lettered
 *   as undelivered_at_shutdown (stdin). A dead-letter write the disk keeps refusing gives up and
 *   is counted as dead_letter_failed. Nothing is left uncounted.
 */
import type { AcceptedEvent, AuditEvent, EventSource } from '../audit/record.js';
import type { Classification } from '../audit/classify.js';
import type { AuditConfig } from '../config/types.js';
import type { DeadLetterRecord, DeadLetterSink } from '../dead-letter/dead-letter.js';
import { framingRecord, inputLineRecord, verdictRecord } from '../dead-letter/records.js';
import { writeCounted } from '../dead-letter/write-counted.js';
import type { EventLog } from '../journal/event-log.js';
import type { Logger } from '../observe/logger.js';
import type { Stats } from '../observe/stats.js';
import type { Input, InputBatch, InputLine } from '../sources/input.js';
import type { FramedLine } from '../sources/line-framer.js';

/** A framed line of valid UTF-8. */
type TextLine = Extract<FramedLine, { kind: 'line' }>;

export interface IngestOptions {
  readonly input: Input;
  readonly maxLineBytes: number;
  readonly classify: (line: string) => Classification;
  readonly audit: AuditConfig;
  readonly log: EventLog;
  readonly deadLetter: DeadLetterSink;
  readonly stats: Stats;
  /** This input's own line counter (several inputs share `stats`). */
  readonly inputStats?: { linesRead: number };
  readonly logger: Logger;
  readonly now: () => number;
  /** Aborting stops reading (shutdown); ingest then resolves once the input has handed over what it holds. */
  readonly signal: AbortSignal;
}

/** Resolves when the input ends; true when it ended by itself (stdin at EOF), not by `signal`. */
export async function runIngest(options: IngestOptions): Promise<boolean> {
  const handle = createBatchHandler(options);
  for await (const batch of options.input.batches(options.signal)) {
    const outcome = await handle(batch);
    await batch.settled(outcome);
  }
  return !options.signal.aborted;
}

function createBatchHandler(options: IngestOptions): (batch: InputBatch) => Promise<'stored' | 'unstored'> {
  const { stats, audit } = options;
  const warnedActions = new Set<string>();

  /** Writes and counts; a write that shutdown cut short (full disk) counts as dead_letter_failed. */
  const deadLetter = (records: readonly DeadLetterRecord[]): Promise<void> =>
    writeCounted(options.deadLetter, records, stats, options.signal);

  /** Shutdown came while the journal was full: what was read but not journaled goes to the dead-letter file. */
  const deadLetterUnstored = (lines: readonly TextLine[], sourceName: string): Promise<void> =>
    deadLetter(
      lines.map((line) =>
        inputLineRecord(
          line,
          'undelivered_at_shutdown',
          'read, but not journaled: the journal was full when wirety-ship was stopped (when_full: block)',
          sourceName,
        ),
      ),
    );

  return async (batch) => {
    const { lines, source: sourceName } = batch;
    if (lines.length === 0) return 'stored';
    const accepted: AcceptedEvent[] = [];
    const acceptedAt: TextLine[] = [];
    const dead: DeadLetterRecord[] = [];
    const receivedAtMs = options.now();
    stats.linesRead += lines.length;
    if (options.inputStats) options.inputStats.linesRead += lines.length;

    for (const line of lines) {
      const { framed } = line;
      if (line.rejected) {
        stats.verdicts.invalid++; // the input refused it (a torn partial line, a bad CRI record…)
        dead.push(inputLineRecord(framed, line.rejected.reason, line.rejected.detail, sourceName));
        continue;
      }
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
          // Integrity on, after a crash: a line read again that the journal already holds (its id).
          if (line.id !== undefined && options.log.alreadyJournaled?.(line.id)) {
            stats.alreadyJournaled++;
            break;
          }
          accepted.push(acceptedEvent(framed, c.event, c.source, receivedAtMs, line));
          acceptedAt.push(framed);
          break;
      }
    }

    const deadWritten = dead.length > 0 ? deadLetter(dead) : undefined;
    void deadWritten?.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    let outcome: 'stored' | 'unstored' = 'stored';
    if (accepted.length > 0) {
      const result = await options.log.append(accepted, options.signal);
      stats.journaled += result.stored.length;
      stats.droppedFull += result.dropped;
      if (result.unstored > 0) {
        outcome = 'unstored';
        stats.unjournaled += result.unstored;
        // An input that brings these lines back by itself keeps them; dead-lettering them too
        // would ship them twice (once from the dead-letter file, once when read again).
        if (!(batch.redelivers ?? options.input.redelivers)) {
          const from = accepted.length - result.unstored;
          await deadLetterUnstored(acceptedAt.slice(from), sourceName);
        }
      }
    }
    await deadWritten;
    return outcome;
  };
}

/**
 * The accepted event, with the input's id and metadata when it has them. Literals, not spreads:
 * this runs per event, and stdin's events (neither) keep one object shape.
 */
function acceptedEvent(
  framed: TextLine,
  event: AuditEvent,
  source: EventSource,
  receivedAtMs: number,
  { id, metadata }: InputLine,
): AcceptedEvent {
  const { text: line, bytes } = framed;
  if (id === undefined) {
    return metadata === undefined
      ? { line, bytes, event, source, receivedAtMs }
      : { line, bytes, event, source, receivedAtMs, metadata };
  }
  return metadata === undefined
    ? { line, bytes, event, source, receivedAtMs, id }
    : { line, bytes, event, source, receivedAtMs, id, metadata };
}
