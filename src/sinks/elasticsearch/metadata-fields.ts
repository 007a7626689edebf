/**
 * Input metadata (contract/metadata.ts) → the objects an Elasticsearch document gets beside
 * `wirety_ship`, in the field names Elastic's own integrations use, so Kibana's views, queries and
 * index templates written for Kubernetes and Docker logs find them:
 *
 * - Kubernetes (file input): `kubernetes: {namespace, pod: {name, uid}, container: {name},
 *   node: {name}}`: the Kubernetes integration's names (Filebeat, Elastic Agent). A flat
 *   `kubernetes.pod` string would clash with the object those integrations map under that name in
 *   any index or data stream shared with them (a mapping conflict refuses the document).
 * - Docker (Forward input): ECS `container: {name, id}`; the Fluent tag has no ECS field, so it
 *   goes to `wirety_ship.tag` (the shipper's own facts about the event).
 *
 * Only names the record has are written, and an object with nothing in it is left out, so a record
 * without metadata (stdin) gets exactly the document it always had.
 */
import type { AuditRecord } from '../../audit/record.js';

export interface MetadataFields {
  /** Top-level objects, in document order, as JSON text: `kubernetes`, `container`. */
  readonly objects: readonly (readonly [key: 'kubernetes' | 'container', json: string])[];
  /** The Fluent tag, for `wirety_ship.tag`. */
  readonly tag?: string;
}

const NONE: MetadataFields = { objects: [] };

export function metadataFields(record: AuditRecord): MetadataFields {
  const m = record.metadata;
  if (m === undefined) return NONE;
  const objects: [key: 'kubernetes' | 'container', json: string][] = [];
  const kubernetes: Record<string, unknown> = {};
  if (m.namespace) kubernetes.namespace = m.namespace;
  const pod = present({ name: m.pod, uid: m.pod_uid });
  if (pod) kubernetes.pod = pod;
  if (m.container) kubernetes.container = { name: m.container };
  if (m.node) kubernetes.node = { name: m.node };
  if (Object.keys(kubernetes).length > 0) objects.push(['kubernetes', JSON.stringify(kubernetes)]);
  const container = present({ name: m.container_name, id: m.container_id });
  if (container) objects.push(['container', JSON.stringify(container)]);
  return m.tag ? { objects, tag: m.tag } : { objects };
}

/** The entries with a non-empty value, or undefined when there are none. */
function present(entries: Record<string, string | undefined>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) if (value) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}
