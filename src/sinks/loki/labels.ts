/**
 * Stream labels for Loki: static `labels` + `source` + each `label_fields` value of the event +
 * each `metadata_labels` value of the record's input metadata (Kubernetes namespace/container,
 * Docker container name: contract/metadata.ts). A stream is one full label set, so events of two
 * namespaces go to two streams; a record without metadata (stdin) gets the label set it always had.
 *
 * Guarantees: label names are sorted so one label set always gives one byte-identical stream key;
 * empty or missing values are omitted (Loki drops them anyway); values are escaped for Loki's
 * Prometheus-style selector parser, which refuses the whole push (400) over a single odd value:
 * U+FFFD, even a valid one, and anything the UTF-8 encoder turns into it (a lone surrogate) are
 * written as the escape `\uFFFD`; a value over Loki's 2048-byte limit is cut on a character
 * boundary; a value with no faithful text (too deep to serialise, a number out of range) omits
 * the label. The label string of a label set is built once and cached, so the per-event cost is a
 * couple of Map lookups. The cache is bounded: a field that unexpectedly takes many values cannot
 * grow memory without limit.
 *
 * Checkpoint records (issue 13) get one fixed stream of their own: the static labels +
 * `wirety_ship_kind="checkpoint"` (no `source`, no field labels), so they are never counted or
 * queried as audit events.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { LokiSinkConfig } from '../../config/types.js';
import { HIGH_CARDINALITY_METADATA, METADATA_NAMES, isMetadataName } from '../../contract/metadata.js';
import { cutUtf8, jsonText } from '../json-text.js';

export interface LabelSet {
  /** `{job="wirety",source="server"}`: the StreamAdapter.labels string. */
  readonly text: string;
  /** UTF-8 bytes of `text`, written as-is into every request that carries this stream. */
  readonly bytes: Buffer;
}

export type Labeler = (record: AuditRecord) => LabelSet;

/** The label that marks the checkpoint stream; a static label of this name is refused. */
export const CHECKPOINT_KIND_LABEL = 'wirety_ship_kind';

const MAX_VALUE_BYTES = 2048;
const MAX_CACHED_SETS = 4096;

/** A value as Loki would index it; '' means "omit the label". Never throws. */
export function labelValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = String(value);
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else {
    const json = jsonText(value);
    text = typeof json === 'string' ? json : '';
  }
  // A label value over Loki's limit gets the request refused; cutting the index value is better
  // than losing the entry (the line itself is shipped intact). Cut on a character boundary: half a
  // surrogate pair would be written as U+FFFD.
  return cutUtf8(text, MAX_VALUE_BYTES);
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
/**
 * What must be escaped: the selector's own specials, and everything Loki's lexer would read as
 * U+FFFD (refused even when valid): U+FFFD itself and lone surrogates (which UTF-8 encoding turns
 * into U+FFFD). Those become the escape `\uFFFD`, which the lexer accepts and decodes to U+FFFD.
 */
const ESCAPED = /[\\"\n\r\t\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeLabelValue(value: string): string {
  return value.replace(ESCAPED, (c) => ESCAPES[c] ?? '\\uFFFD');
}

export function formatLabels(pairs: Readonly<Record<string, string>>): string {
  const parts: string[] = [];
  for (const name of Object.keys(pairs).sort()) {
    const value = pairs[name];
    if (value) parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return `{${parts.join(',')}}`;
}

type Node = Map<string, Node | LabelSet>;

type LabelerConfig = Pick<LokiSinkConfig, 'labels' | 'label_fields'> &
  Partial<Pick<LokiSinkConfig, 'metadata_labels'>>;

export function createLabeler(config: LabelerConfig): Labeler {
  const text = formatLabels({ ...config.labels, [CHECKPOINT_KIND_LABEL]: 'checkpoint' });
  const checkpoints: LabelSet = { text, bytes: Buffer.from(text, 'utf8') };
  const plain = createTrie(config, []);
  const metadataNames = config.metadata_labels ?? [];
  if (metadataNames.length === 0)
    return (record) => (record.kind === 'checkpoint' ? checkpoints : plain(record));
  // Records without metadata walk only the event fields, as before metadata existed.
  const withMetadata = createTrie(config, metadataNames);
  return (record) =>
    record.kind === 'checkpoint'
      ? checkpoints
      : record.metadata === undefined
        ? plain(record)
        : withMetadata(record);
}

/**
 * One label-set cache: a trie keyed by source, then each label field's value, then each metadata
 * label's value (records reaching a trie with metadata names always have metadata).
 */
function createTrie(config: LabelerConfig, metadataNames: readonly string[]): Labeler {
  const fields = [...config.label_fields];
  const names = [...fields, ...metadataNames];
  const statics = { ...config.labels };
  const valueAt = (record: AuditRecord, i: number): string =>
    i < fields.length
      ? labelValue(record.event[fields[i] as string])
      : labelValue(record.metadata?.[metadataNames[i - fields.length] as string]);
  let root: Node = new Map();
  let cached = 0;

  const build = (source: string, values: readonly string[]): LabelSet => {
    const pairs: Record<string, string> = { ...statics, source };
    names.forEach((name, i) => {
      pairs[name] = values[i] ?? '';
    });
    const text = formatLabels(pairs);
    return { text, bytes: Buffer.from(text, 'utf8') };
  };

  const values: string[] = [];
  const miss = (record: AuditRecord): LabelSet => {
    if (cached >= MAX_CACHED_SETS) {
      root = new Map();
      cached = 0;
    }
    let node = root.get(record.source) as Node | undefined;
    if (!node && names.length > 0) root.set(record.source, (node = new Map()));
    for (let i = 0; i < names.length; i++) values[i] = valueAt(record, i);
    const set = build(record.source, values);
    if (names.length === 0) {
      root.set(record.source, set);
    } else {
      let parent = node as Node;
      for (let i = 0; i < names.length - 1; i++) {
        const key = values[i] as string;
        let child = parent.get(key) as Node | undefined;
        if (!child) parent.set(key, (child = new Map()));
        parent = child;
      }
      parent.set(values[names.length - 1] as string, set);
    }
    cached++;
    return set;
  };

  if (names.length === 0) {
    return (record) => (root.get(record.source) as LabelSet | undefined) ?? miss(record);
  }
  return (record) => {
    let node: Node | LabelSet | undefined = root.get(record.source);
    for (let i = 0; node !== undefined && i < names.length; i++) {
      node = (node as Node).get(valueAt(record, i));
    }
    return (node as LabelSet | undefined) ?? miss(record);
  };
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_LABELS = 15;
/** Loki's default limit on one entry's structured metadata pairs (`max_structured_metadata_entries_count`). */
export const MAX_METADATA_PAIRS = 128;
/** Structured metadata of an event with `integrity`, right after `event_id` (encode.ts). */
export const INTEGRITY_METADATA = ['seq', 'journal', 'chain', 'chain_prev'] as const;
const MAX_NAME_BYTES = 1024;

/** Why a field must not be a label; undefined when it may be one. */
function highCardinality(field: string): string | undefined {
  const exact: Record<string, string> = {
    actor_email: 'one value per user',
    remote_ip: 'one value per client address',
    endpoint: 'one value per peer address and port',
    peer_pubkey: 'one value per peer key',
    domain: 'one value per DNS domain',
    handshake_at: 'a timestamp: a new value for nearly every event',
    last_handshake: 'a timestamp: a new value for nearly every event',
    time: 'a timestamp: a new value every second',
    session_duration: 'a new value for every session',
    old_name: 'one value per name',
    new_name: 'one value per name',
    new_interface: 'one value per interface',
    rule_count: 'a count that changes with every change',
    peer_count: 'a count that changes with every change',
    message: 'always "audit" in audit events, so it adds nothing but a stream per value',
  };
  const reason = exact[field];
  if (reason) return reason;
  if (field.endsWith('_id')) return `one value per ${field.slice(0, -3).replace(/_/g, ' ') || 'object'}`;
  if (field.endsWith('_name'))
    return `one value per named ${field.slice(0, -5).replace(/_/g, ' ') || 'object'}`;
  return undefined;
}

/**
 * Checks the label configuration of a Loki sink. Returns one message per problem (empty = valid),
 * each naming the offending key as `sinks.<name>.<key>`.
 */
export function validateLokiLabels(
  config: Pick<LokiSinkConfig, 'name' | 'labels' | 'label_fields' | 'structured_metadata_fields'> &
    Partial<Pick<LokiSinkConfig, 'metadata_labels' | 'metadata_structured'>>,
): string[] {
  const errors: string[] = [];
  const key = (k: string) => `sinks.${config.name}.${k}`;
  const checkName = (where: string, name: string): boolean => {
    if (!NAME.test(name)) {
      errors.push(
        `${key(where)}: "${name}" is not a valid Loki label name (letters, digits and _, not starting with a digit)`,
      );
    } else if (name.startsWith('__')) {
      errors.push(`${key(where)}: "${name}" starts with "__", which Loki reserves for internal labels`);
    } else if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
      errors.push(
        `${key(where)}: "${name.slice(0, 40)}…" is longer than Loki's ${MAX_NAME_BYTES}-byte label name limit`,
      );
    } else {
      return true;
    }
    return false;
  };

  const seen = new Set<string>(['source']);
  for (const [name, value] of Object.entries(config.labels)) {
    if (!checkName('labels', name)) continue;
    if (name === 'source') {
      errors.push(
        `${key('labels')}: "source" is set by wirety-ship itself (server or agent); choose another name`,
      );
    } else if (name === CHECKPOINT_KIND_LABEL) {
      errors.push(
        `${key('labels')}: "${name}" is set by wirety-ship itself (it marks the checkpoint stream); choose another name`,
      );
    } else if (value === '') {
      errors.push(
        `${key('labels')}: "${name}" has an empty value, and Loki drops empty labels; remove it or give it a value`,
      );
    } else if (Buffer.byteLength(value) > MAX_VALUE_BYTES) {
      errors.push(
        `${key('labels')}: the value of "${name}" is longer than Loki's ${MAX_VALUE_BYTES}-byte label value limit`,
      );
    }
    seen.add(name);
  }
  for (const field of config.label_fields) {
    if (!checkName('label_fields', field)) continue;
    const why = highCardinality(field);
    if (why) {
      errors.push(
        `${key('label_fields')}: \`${field}\` is high-cardinality (${why}): Loki would create a stream per value. Put it in structured_metadata_fields instead.`,
      );
    } else if (seen.has(field)) {
      errors.push(
        field === 'source'
          ? `${key('label_fields')}: "source" is already a label (set by wirety-ship: server or agent)`
          : `${key('label_fields')}: "${field}" is listed twice or is also a static label`,
      );
    }
    seen.add(field);
  }
  const metadataLabels = config.metadata_labels ?? [];
  const metadataStructured = config.metadata_structured ?? [];
  const unknown = (where: string, name: string) =>
    `${key(where)}: "${name}" is not an input metadata name (known: ${METADATA_NAMES.join(', ')})`;
  for (const name of metadataLabels) {
    if (!isMetadataName(name)) {
      errors.push(unknown('metadata_labels', name));
      continue;
    }
    const why = HIGH_CARDINALITY_METADATA[name];
    if (why) {
      errors.push(
        `${key('metadata_labels')}: \`${name}\` is high-cardinality (${why}): Loki would create a stream per value. Put it in metadata_structured instead.`,
      );
    } else if (seen.has(name)) {
      errors.push(
        `${key('metadata_labels')}: "${name}" is listed twice or is also a static label, a label field or "source"`,
      );
    }
    seen.add(name);
  }
  const total = new Set([...Object.keys(config.labels), 'source', ...config.label_fields, ...metadataLabels])
    .size;
  if (total > MAX_LABELS) {
    errors.push(
      `${key(metadataLabels.length > 0 ? 'metadata_labels' : 'label_fields')}: ${total} labels per stream (labels + source + label_fields + metadata_labels) is more than Loki's limit of ${MAX_LABELS}`,
    );
  }
  // event_id and the chain names (encode.ts) are ours: reserved, and counted toward the pair limit.
  const metadata = new Set<string>(['event_id', ...INTEGRITY_METADATA]);
  for (const field of config.structured_metadata_fields) {
    if (!checkName('structured_metadata_fields', field)) continue;
    if (metadata.has(field)) {
      errors.push(
        field === 'event_id'
          ? `${key('structured_metadata_fields')}: "event_id" is always sent (the stable event id); remove it`
          : (INTEGRITY_METADATA as readonly string[]).includes(field)
            ? `${key('structured_metadata_fields')}: "${field}" is sent by wirety-ship itself with integrity on (the journal chain); remove it`
            : `${key('structured_metadata_fields')}: "${field}" is listed twice`,
      );
    }
    metadata.add(field);
  }
  for (const name of metadataStructured) {
    if (!isMetadataName(name)) {
      errors.push(unknown('metadata_structured', name));
      continue;
    }
    if (metadata.has(name)) {
      errors.push(
        `${key('metadata_structured')}: "${name}" is listed twice or is also in structured_metadata_fields`,
      );
    } else if (metadataLabels.includes(name)) {
      errors.push(`${key('metadata_structured')}: "${name}" is already a stream label (metadata_labels)`);
    }
    metadata.add(name);
  }
  if (metadata.size > MAX_METADATA_PAIRS) {
    errors.push(
      `${key('structured_metadata_fields')}: ${metadata.size - 1 - INTEGRITY_METADATA.length} fields${metadataStructured.length > 0 ? ' (with metadata_structured)' : ''} plus event_id and the 4 chain names (${INTEGRITY_METADATA.join(', ')}) is more than Loki's limit of ${MAX_METADATA_PAIRS} structured metadata pairs per entry`,
    );
  }
  return errors;
}
