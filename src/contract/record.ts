/**
 * The record a sink receives: an audit event as the journal stored it (its original line, its
 * seq and stable id). Defined beside the classifier that makes it (audit/record.ts, a leaf that
 * imports nothing) and named here so a sink needs nothing from the input side. Plain data: it
 * crosses the input/sink-worker boundary (index.ts).
 */
export type { AuditEvent, AuditRecord, EventSource } from '../audit/record.js';
