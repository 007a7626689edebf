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

/**
 * Orders rotated copies of one family oldest first: kubelet suffixes are timestamps (older sorts
 * first), Docker's are counters (`.2` is older than `.1`). Names without a suffix come last.
 */
export function olderRotatedFirst(a: string, b: string): number {
  const suffix = (path: string) => ROTATION_SUFFIX.exec(basename(path))?.[0].slice(1).split('.')[0];
  const sa = suffix(a);
  const sb = suffix(b);
  if (sa === undefined || sb === undefined) return (sa === undefined ? 1 : 0) - (sb === undefined ? 1 : 0);
  const counter = /^\d+$/;
  if (counter.test(sa) && counter.test(sb)) return Number(sb) - Number(sa);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
