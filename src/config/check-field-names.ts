/**
 * Checks the event field names a sink is told to index (Loki `label_fields` and
 * `structured_metadata_fields`, Splunk `indexed_fields`) against the audit event catalogue.
 *
 * A name no catalogue event has is never sent anything: the label, metadata pair or indexed field
 * is silently absent from every event, and the operator's queries find nothing. But events may
 * carry extra fields (a newer wirety may add some), so a name outside the catalogue may be right.
 * Hence two levels:
 * - an error (exit 78) only when the name cannot be another field: it is a catalogue field but
 *   for letter case, a separator (`-`, `.` or a space for `_`) or two swapped neighbouring letters
 *   ("Peer_ID", "peer-id", "netwrok_id"). JSON field names are case-sensitive, wirety's are all
 *   lower-case snake_case, and no real field is one of those variants of another.
 * - a warning otherwise, with "did you mean …?" when a catalogue field is close ("peer_ip" may be
 *   a typo of peer_id or a field of a newer wirety: only the operator knows).
 */
import { CATALOGUE_FIELDS } from '../audit/catalogue.js';
import type { Report } from './check-sink.js';
import { didYouMean } from './suggest.js';
import type { Config } from './types.js';

const KNOWN = new Set(CATALOGUE_FIELDS);
const HINT = 'field names are listed per action in docs/audit-events.md';

const squash = (name: string): string => name.toLowerCase().replace(/[-. ]/g, '_');

/** True when `a` and `b` differ only by swapping two neighbouring characters. */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const at = [...a].findIndex((c, i) => c !== b[i]);
  return (
    at >= 0 &&
    at + 1 < a.length &&
    a[at] === b[at + 1] &&
    a[at + 1] === b[at] &&
    a.slice(at + 2) === b.slice(at + 2)
  );
}

/** The catalogue field `name` is certainly a misspelling of, if any. */
export function certainTypo(name: string): string | undefined {
  const plain = squash(name);
  return CATALOGUE_FIELDS.find((field) => field === plain || swapped(plain, field));
}

/** What a name under each key becomes, for "no event will carry this …". */
const WHAT: Readonly<Record<string, string>> = {
  label_fields: 'label',
  structured_metadata_fields: 'structured metadata',
  indexed_fields: 'indexed field',
};

/** Names wirety-ship sets itself under each key; their own checks (or encoders) deal with them. */
const OWN_NAMES: Readonly<Record<string, readonly string[]>> = {
  label_fields: ['source'],
  // The shipper's own names (the integrity chain's among them: docs/integrity-sinks.md).
  structured_metadata_fields: ['event_id', 'seq', 'journal', 'chain', 'chain_prev'],
  indexed_fields: ['event_id', 'seq', 'journal', 'chain', 'chain_prev'],
};

function checkList(path: readonly string[], names: readonly string[], report: Report, warn: Report): void {
  const key = path[path.length - 1] as string;
  names.forEach((name, index) => {
    if (KNOWN.has(name) || OWN_NAMES[key]?.includes(name)) return;
    const at = [...path, index];
    const typo = certainTypo(name);
    if (typo !== undefined) {
      report(
        at,
        `"${name}" is not a field of any audit event; did you mean "${typo}"? (field names are exact: lower-case, with _)`,
        HINT,
      );
    } else {
      warn(
        at,
        `"${name}" is not a field of any audit event in the catalogue: unless your wirety writes it, no event will carry this ${WHAT[key] ?? 'field'}${didYouMean(name, CATALOGUE_FIELDS)}`,
        `fix it if it is a typo (${HINT})`,
      );
    }
  });
}

export function checkFieldNames(config: Config, report: Report, warn: Report): void {
  for (const sink of config.sinks) {
    const base = ['sinks', sink.name];
    if (sink.type === 'loki') {
      checkList([...base, 'label_fields'], sink.label_fields, report, warn);
      if (sink.structured_metadata) {
        checkList([...base, 'structured_metadata_fields'], sink.structured_metadata_fields, report, warn);
      }
    } else if (sink.type === 'splunk_hec') {
      checkList([...base, 'indexed_fields'], sink.indexed_fields, report, warn);
    }
  }
}
