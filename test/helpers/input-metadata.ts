/**
 * Records carrying input metadata as the two inputs set it (contract/metadata.ts): Kubernetes names
 * from a kubelet log path (file input) and Docker's from a `fluentd` log driver record (Forward
 * input), plus records without any (stdin), for the sink tests.
 */
import type { AuditRecord } from '../../src/audit/record.js';
import { makeRecords } from './records.js';

export const kubernetesProd = {
  namespace: 'prod',
  pod: 'wirety-server-7d9f8c6b5-x2x4q',
  pod_uid: '0f9e5c1a-1b2c-4d3e-8f90-123456789abc',
  container: 'wirety-server',
  node: 'node-1',
} as const;
export const kubernetesStaging = {
  ...kubernetesProd,
  namespace: 'staging',
  pod: 'wirety-server-5c4b3a291-abcde',
  pod_uid: '11111111-2222-3333-4444-555555555555',
} as const;
export const docker = {
  container_name: 'wirety',
  container_id: '4f2a9c0b1d3e',
  tag: 'wirety.audit',
} as const;

/** n records (server/agent alternating), each given the metadata of `pick(i)` (undefined: none). */
export function recordsWithMetadata(
  n: number,
  pick: (i: number) => Readonly<Record<string, string>> | undefined,
): AuditRecord[] {
  return makeRecords(n).map((r, i) => {
    const metadata = pick(i);
    return metadata === undefined ? r : { ...r, metadata };
  });
}

/** Six records: prod, staging, docker, none, prod, none. */
export const mixedRecords = (): AuditRecord[] =>
  recordsWithMetadata(6, (i) => [kubernetesProd, kubernetesStaging, docker, undefined][i % 4]);
