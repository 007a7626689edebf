/**
 * Findings → what `verify` prints. Human: one line per finding, numbers with thousands
 * separators, then a line per journal and a verdict. `--json`: one JSON object per line (a finding
 * each, then `{"kind":"result",…}`), written as found, so a report on 10 M events streams too.
 */
import type { Bound, Finding, JournalSummary } from './findings.js';
import { unexplained } from './findings.js';

const n = (value: number): string => value.toLocaleString('en-US');

function seqRange(from: number, to: number): string {
  return from === to ? `seq ${n(from)}` : `seq ${n(from)}–${n(to)}`;
}

/** RFC 3339 to the second; the second time keeps only what differs from the first's day. */
function isoSecond(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function span(after: Bound | undefined, before: Bound | undefined): string {
  const a = after?.timeMs;
  const b = before?.timeMs;
  if (a !== undefined && b !== undefined) {
    const first = isoSecond(a);
    const second = isoSecond(b);
    const sameDay = first.slice(0, 11) === second.slice(0, 11);
    return `between ${first} and ${sameDay ? second.slice(11) : second}`;
  }
  if (a !== undefined) return `after ${isoSecond(a)}`;
  if (b !== undefined) return `before ${isoSecond(b)}`;
  return 'at an unknown time';
}

const plural = (count: number, word: string): string => `${n(count)} ${word}${count === 1 ? '' : 's'}`;

export function humanLine(finding: Finding): string {
  switch (finding.kind) {
    case 'missing': {
      const count = finding.to - finding.from + 1;
      const reach = finding.checkpoint
        ? `; the checkpoint of ${finding.checkpoint.time} says the journal reached seq ${n(finding.checkpoint.lastSeq)}`
        : '';
      return `MISSING   ${seqRange(finding.from, finding.to)} (${plural(count, 'event')}, ${span(finding.after, finding.before)}${reach})`;
    }
    case 'explained': {
      const by = finding.sink !== undefined ? `by sink ${finding.sink}` : 'by a sink';
      const id = finding.eventId !== undefined ? ` (event_id ${finding.eventId})` : '';
      const detail = finding.detail ? `: ${finding.detail}` : '';
      return `EXPLAINED seq ${n(finding.seq)}${id} dead-lettered ${by} (${finding.reason}${detail})`;
    }
    case 'altered':
      return `ALTERED   seq ${n(finding.seq)} (event_id ${finding.eventId}): content does not match its chain value`;
    case 'forged':
      return `FORGED    seq ${n(finding.seq)} (event_id ${finding.eventId}): a chain value no given key made for this content, and no event links to it`;
    case 'conflict':
      return (
        `CONFLICT  seq ${n(finding.seq)}: ${finding.copies.length} different copies: ` +
        finding.copies
          .map((c) => `event_id ${c.eventId} (${c.verifies ? 'verifies' : 'does not verify'})`)
          .join(', ')
      );
    case 'unlinked':
      return `UNLINKED  seq ${n(finding.seq)}: its chain_prev is not the chain value of seq ${n(finding.afterSeq)}`;
    case 'head_mismatch':
      return `HEAD      seq ${n(finding.seq)} does not carry the chain head stated by the checkpoint of ${finding.checkpointTime}`;
    case 'bad_checkpoint':
      return `BAD CHECKPOINT ${finding.where}: ${finding.reason}`;
    case 'unusable': {
      const what =
        finding.why === 'unchained'
          ? `${plural(finding.count, 'record')} carry no integrity fields (not checked)`
          : `${plural(finding.count, 'record')} cannot be read`;
      const list = finding.examples.map((e) => `\n  ${e.where}: ${e.reason}`).join('');
      const more =
        finding.count > finding.examples.length
          ? `\n  … and ${n(finding.count - finding.examples.length)} more`
          : '';
      return `${finding.why === 'unchained' ? 'UNCHAINED ' : 'UNREADABLE'} ${what}${list}${more}`;
    }
    case 'entry':
      return `NOTE      journal ${finding.journal}: the read window starts inside the chain, at seq ${n(finding.seq)}`;
    case 'journal':
      return journalLines(finding.summary);
  }
}

function journalLines(s: JournalSummary): string {
  const range = s.firstSeq !== undefined ? ` ${seqRange(s.firstSeq, s.lastSeq!)}` : '';
  const extras = [
    s.duplicates > 0 ? `${plural(s.duplicates, 'duplicate copy')} ignored`.replace('copys', 'copies') : '',
    s.rotations > 0 ? `${plural(s.rotations, 'key rotation')} linked` : '',
  ].filter(Boolean);
  const extra = extras.length > 0 ? ` (${extras.join(', ')})` : '';
  let head: string;
  if (s.problems === 0 && s.explained === 0) {
    head = `all ${plural(s.events, 'event')} from journal ${s.journal}${range} present and unaltered${extra}`;
  } else if (s.problems === 0) {
    head = `journal ${s.journal}: ${plural(s.events, 'event')}${range} present and unaltered; ${plural(s.explained, 'absent event')} explained by dead-letter records${extra}`;
  } else {
    head = `journal ${s.journal}: ${plural(s.events, 'event')}${range}: ${plural(s.problems, 'problem')}${extra}`;
  }
  const reach = s.checkpoint
    ? `  verified through seq ${n(s.checkpoint.lastSeq)} at ${s.checkpoint.time} (checkpoint by key ${s.checkpoint.keyId})` +
      (s.afterCheckpoint > 0
        ? `; ${plural(s.afterCheckpoint, 'event')} after it ${s.afterCheckpoint === 1 ? 'is' : 'are'} covered only by the chain`
        : '')
    : `  no checkpoint seen: events are covered only by the chain (a tail cut off after the last event would not show)`;
  return `${head}\n${reach}`;
}

export interface ReportWriter {
  write(finding: Finding): void;
  /** Writes the verdict; returns whether nothing was unexplained. */
  end(totals: { events: number }): boolean;
}

export function createReportWriter(out: (text: string) => void, json: boolean): ReportWriter {
  let problems = 0;
  let explained = 0;
  let journals = 0;
  return {
    write(finding) {
      if (unexplained(finding)) problems++;
      if (finding.kind === 'explained') explained++;
      if (finding.kind === 'journal') journals++;
      out((json ? JSON.stringify(finding) : humanLine(finding)) + '\n');
    },
    end({ events }) {
      const ok = problems === 0;
      if (json)
        out(JSON.stringify({ kind: 'result', ok, problems, explained, journals, records: events }) + '\n');
      else
        out(
          ok
            ? `OK: ${plural(events, 'record')} read, ${plural(journals, 'journal')}, nothing unexplained\n`
            : `FAILED: ${plural(problems, 'problem')} in ${plural(events, 'record')} read\n`,
        );
      return ok;
    },
  };
}
