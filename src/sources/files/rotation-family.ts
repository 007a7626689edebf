/**
 * The files one writer produces over its rotations: kubelet renames `0.log` to
 * `0.log.<YYYYMMDD-HHMMSS>` (later gzipped), Docker renames `<id>-json.log` to `.1`, `.2`, ….
 * A partial line can start in one of them and end in the next, so partial pieces are joined per
 * family (+ stream), and an older member of a family is drained before a newer one is read.
 */
import { basename, dirname, join } from 'node:path';

const ROTATION_SUFFIX = /\.(?:\d{8}-\d{6}|\d+)(?:\.gz|\.tmp)?$/;

/** `…/0.log.20260101-101010` → `…/0.log`; `…/x-json.log.1` → `…/x-json.log`. */
export function rotationFamily(path: string): string {
  return join(dirname(path), basename(path).replace(ROTATION_SUFFIX, ''));
}

/** True when `candidate` is a rotated copy of the file that lived at `path`. */
export function isRotatedSibling(path: string, candidate: string): boolean {
  return candidate !== path && rotationFamily(candidate) === rotationFamily(path);
}
