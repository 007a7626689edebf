/**
 * The names of the input metadata an event can carry (AuditRecord.metadata), written once: the
 * inputs set them and the sinks map them to their receivers' fields (Loki labels and structured
 * metadata, an Elasticsearch `kubernetes` / `container` object, HEC indexed fields).
 *
 * Invariant: metadata never changes the line; every value is a non-empty string chosen by the
 * input, never by the event. Which input sets which name:
 * - the file input, from a kubelet path `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log`
 *   (sources/files/kubernetes-path.ts): `namespace`, `pod`, `pod_uid`, `container`, and `node` from
 *   the NODE_NAME variable (the downward API's `spec.nodeName`);
 * - the Forward input, from Docker's `fluentd` log driver records (sources/forward/record-line.ts):
 *   `container_name` (without Docker's leading `/`), `container_id` (12 characters) and the Fluent
 *   `tag`.
 */

/** Set by the file input from a kubelet log path (and NODE_NAME). */
export const KUBERNETES_METADATA = ['namespace', 'pod', 'pod_uid', 'container', 'node'] as const;
/** Set by the Forward input from a Docker `fluentd` log driver record. */
export const DOCKER_METADATA = ['container_name', 'container_id', 'tag'] as const;

export type KubernetesMetadataName = (typeof KUBERNETES_METADATA)[number];
export type DockerMetadataName = (typeof DOCKER_METADATA)[number];
export type MetadataName = KubernetesMetadataName | DockerMetadataName;

/** Every name an input may set, in documentation order. */
export const METADATA_NAMES: readonly MetadataName[] = [...KUBERNETES_METADATA, ...DOCKER_METADATA];

/**
 * Names with one value per pod or container instance: a Loki label per value would make new
 * streams at every restart or rollout, so the Loki sink refuses them as labels (they go to
 * structured metadata). `node` and `tag` are allowed: one value per node, and a tag the user
 * chooses (Docker's default tag is the short container id, though: the docs say so).
 */
export const HIGH_CARDINALITY_METADATA: Readonly<Partial<Record<MetadataName, string>>> = {
  pod: 'one value per pod: every rollout makes new streams',
  pod_uid: 'one value per pod instance',
  container_id: 'one value per container instance: every restart makes new streams',
};

export function isMetadataName(name: string): name is MetadataName {
  return (METADATA_NAMES as readonly string[]).includes(name);
}
