/** `format: auto`: each file's format is decided once, from its first line (its fingerprint bytes). */
import { looksLikeCri } from './cri-line.js';
import { looksLikeDocker } from './docker-line.js';

export type FileFormat = 'raw' | 'cri' | 'docker';

export function detectFormat(head: Buffer): FileFormat {
  if (looksLikeCri(head)) return 'cri';
  if (looksLikeDocker(head)) return 'docker';
  return 'raw';
}
