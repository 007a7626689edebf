/**
 * Load-time checks of the `integrity:` block (config/integrity.ts): the key is read and parsed now,
 * so a missing, unreadable or malformed key is a configuration error (exit 78) naming the file or
 * the variable, never its content; integrity is refused with `buffer.type: memory`, and with a Loki sink that
 * sends no structured metadata (where the chain values travel: docs/integrity-sinks.md).
 */
import type { Report } from './check-sink.js';
import { integrityOn, readIntegrityKey } from './integrity.js';
import type { Config } from './types.js';

/** Reports what is wrong; returns the key's id when the key is usable. */
export async function checkIntegrity(config: Config, report: Report): Promise<string | undefined> {
  const integrity = config.integrity;
  if (!integrityOn(integrity)) return undefined;
  const keyPath = ['integrity', integrity.key_file !== undefined ? 'key_file' : 'key'];
  if (integrity.key !== undefined && integrity.key_file !== undefined) {
    report(
      ['integrity', 'key_file'],
      'cannot be used together with a key given as a value',
      'keep one of them',
    );
  }
  if (config.buffer.type === 'memory') {
    report(
      ['buffer', 'type'],
      'integrity needs the disk journal: with buffer.type memory the chain head and its skipped seqs would not survive a restart, and the next events could not be linked to the ones already shipped',
      'set buffer.type: disk (the default when a key is configured)',
    );
  }
  for (const sink of config.sinks) {
    if (sink.type === 'loki' && !sink.structured_metadata) {
      report(
        ['sinks', sink.name, 'structured_metadata'],
        'is false while integrity is on: Loki would hold no seq or chain values, so what this sink holds could not be verified',
        'use a Loki with structured metadata (schema v13, Loki 3) and drop structured_metadata: false, or turn integrity off',
      );
    }
  }
  try {
    return (await readIntegrityKey(integrity))?.id;
  } catch (error) {
    report(keyPath, (error as Error).message, 'generate a key with: openssl rand -hex 32 > <file>');
    return undefined;
  }
}
