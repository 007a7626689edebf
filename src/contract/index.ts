/**
 * The delivery contract: the vocabulary the delivery loop (deliver/) and the sinks (sinks/) share,
 * and nothing else. Both sides import it; it imports nothing but the record shape the classifier
 * defines (audit/record.ts). The import direction is enforced by eslint.config.js (layers in
 * docs/ARCHITECTURE.md).
 *
 * It is also the future boundary between the input thread (stdin → classify → journal) and the
 * sink workers (one delivery loop per sink on a worker_thread). So it keeps two kinds of types
 * apart:
 *
 * Crosses the boundary (plain data: survives structured clone, no functions, no class instances,
 * no Maps keyed by objects):
 * - AuditRecord (record.ts): the batches a sink loop takes from its journal cursor.
 * - SinkRequest, OmittedValue, SinkKind (sink.ts): what an encoder produced, for logs and tests.
 * - Outcome, RejectedItem, Unconfirmed, RetryClass, UnconfirmedReason (outcome.ts): what became
 *   of a request, for counting and reporting on the other side.
 * - DeadLetterRecord, DeadLetterReason (dead-letter-record.ts): what a sink loop hands back to
 *   be written to the one dead-letter file.
 * - AckAnswer (sink.ts): a Splunk HEC acknowledgement's answer.
 * - The input metadata names (metadata.ts, constants imported from that file directly): the keys
 *   of AuditRecord.metadata that inputs set and sinks map.
 * A sink's settings (its SinkConfig, config/types.ts) are plain data too: a worker is given
 * those and builds the rest itself.
 *
 * Does not cross (behaviour, or state bound to one thread):
 * - SinkCodec, Credentials, Transport, Acknowledger (sink.ts): built on the side that runs the
 *   sink's loop, from its SinkConfig (sinks/create-sink.ts builds them into a SinkRuntime).
 * - HttpReply (outcome.ts) is plain data but is read where it arrives: a scrubbed reply's exact
 *   twin lives in a WeakMap (transport/scrubbed-reply.ts) that a clone would lose.
 * - The cursor, the clock, the logger, the Stats object and abort signals: each side has its own
 *   (counts cross as numbers).
 */
export type * from './dead-letter-record.js';
export type * from './outcome.js';
export type * from './record.js';
export type * from './sink.js';
