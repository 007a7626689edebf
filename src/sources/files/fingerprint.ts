/**
 * A file's identity, so a position survives renames (rotation) and is not applied to another file
 * that reuses the inode: a hash of its directory and its first line, at most FINGERPRINT_BYTES
 * bytes (Vector's approach, first-line CRC there, plus the directory). Device/inode are only a hint
 * (to skip re-fingerprinting an open file met again through another path or a symlink).
 *
 * Why the directory: replicas of one pod template, started together, can write the same first
 * line (a banner, or CRI lines with equal timestamps) into their own `/var/log/pods/…` directories;
 * without it they would be one file to us. Rotations (kubelet, Docker, logrotate) rename within a
 * directory, so the identity still follows the file.
 *
 * Limits, on purpose:
 * - A file whose first line is not complete yet and that is shorter than FINGERPRINT_BYTES has no
 *   identity yet and is not read: nothing in it could be handed over anyway (a torn line waits).
 * - Two files of one directory whose first FINGERPRINT_BYTES bytes (or first lines) are equal are
 *   the same file to us (the file input logs a warning and reads only one). CRI and json-file lines start with a nanosecond timestamp, and Wirety's audit lines carry
 *   a timestamp and an event id, so this does not happen with the files this input is for; a raw
 *   file that starts with a fixed header line would need a longer fingerprint.
 * - A file moved to another directory is a new file (read again from its start).
 * - A copytruncated file that is rewritten with the same first line keeps its identity, so its new
 *   lines get the ids of the old lines at the same offsets.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

export interface Fingerprint {
  /** 16 hex digits of the SHA-256 of the fingerprinted bytes. */
  readonly identity: string;
  /** The fingerprinted bytes (also used to detect the format). */
  readonly head: Buffer;
}

/** `directory`: the real directory of the file (symlinks resolved). */
export async function readFingerprint(
  handle: FileHandle,
  directory: string,
): Promise<Fingerprint | undefined> {
  const buffer = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, FINGERPRINT_BYTES, 0);
  const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
  let head: Buffer;
  if (newline >= 0) head = buffer.subarray(0, newline + 1);
  else if (bytesRead === FINGERPRINT_BYTES) head = buffer;
  else return undefined;
  const identity = createHash('sha256')
    .update(directory)
    .update('\0')
    .update(head)
    .digest('hex')
    .slice(0, 16);
  return { identity, head: Buffer.from(head) };
}
