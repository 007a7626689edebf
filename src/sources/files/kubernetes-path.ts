/**
 * Kubernetes metadata from a kubelet log path, `…/<namespace>_<pod>_<uid>/<container>/<n>.log`
 * (or a rotated `<n>.log.<timestamp>`). Namespaces and pod names are DNS labels/subdomains, so they
 * never contain `_`; the uid is a UUID (or a hash for static pods), without `_` either. The prefix
 * (`/var/log/pods` on a node) is not required, so a sidecar mounting the pod's directory elsewhere
 * still gets its metadata. Paths of another shape give no Kubernetes fields.
 */
import type { LineMetadata } from '../input.js';

const POD_LOG_PATH = /(?:^|\/)([^/_]+)_([^/_]+)_([^/_]+)\/([^/]+)\/\d+\.log(?:\.[^/]*)?$/;

export function metadataFromPath(path: string, node?: string): LineMetadata | undefined {
  const match = POD_LOG_PATH.exec(path);
  const fields: Record<string, string> = {};
  if (match) {
    fields.namespace = match[1]!;
    fields.pod = match[2]!;
    fields.pod_uid = match[3]!;
    fields.container = match[4]!;
  }
  if (node) fields.node = node;
  return Object.keys(fields).length > 0 ? fields : undefined;
}
