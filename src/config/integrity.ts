/**
 * The `integrity:` block (docs/integrity.md): the key of the keyed chain over every journaled event
 * and how often a signed checkpoint is made. The key is a secret: from `key_file`
 * (--integrity-key-file) or WIRETY_SHIP_INTEGRITY_KEY, never a flag; only its id (a hash that
 * reveals nothing of it) is ever printed. Integrity is on when a key is configured.
 *
 * It needs the disk journal: the chain's head and the positions of the chain (skipped seqs) must
 * survive a restart, or the first event after it would link to nothing a verifier can check.
 */
import { readFile } from 'node:fs/promises';
import { parseKey, type IntegrityKey } from '../integrity/key.js';
import { duration, integer, path, section, text } from './declare.js';
import type { Setting } from './settings.js';
import { formatDuration as d } from './units.js';

export const KEY_ENV = 'WIRETY_SHIP_INTEGRITY_KEY';
export const CHECKPOINT_FILE_NAME = 'checkpoints.ndjson';

export const integrity = section(
  {
    key_file: path({
      doc: 'file holding the integrity key (hex, at least 32 bytes: `openssl rand -hex 32`); turns the chain and checkpoints on',
      cli: {
        flag: 'integrity-key-file',
        arg: '<file>',
        env: 'WIRETY_SHIP_INTEGRITY_KEY_FILE',
        help: 'chain every event with the key in this file (proof of completeness, docs/integrity.md)',
        order: 150,
      },
    }),
    key: text({
      secret: true,
      doc: `the integrity key itself (secret): set ${KEY_ENV} or write \`\${VAR}\` here, or use \`key_file\``,
    }),
    checkpoint_every: integer({
      min: 1,
      default: 10000,
      doc: 'a signed checkpoint after this many events',
    }),
    checkpoint_interval: duration({
      min: 1000,
      default: '60s',
      doc: 'and at the latest this long after the first event since the last one (never while idle); one more at shutdown',
    }),
    checkpoint_file: path({
      defaultText: `\`${CHECKPOINT_FILE_NAME}\` in \`buffer.data_dir\``,
      filled: true,
      doc: 'every checkpoint is also appended here (one JSON per line, fsynced): copy it elsewhere as a witness',
    }),
  },
  {
    doc: 'the keyed chain over every event and its signed checkpoints ([integrity.md](integrity.md)); off without a key',
    summary: {
      label: 'integrity',
      line: (integrity) => {
        const { key_id } = integrity as { key_id?: string };
        if (integrity.key === undefined && integrity.key_file === undefined) return 'off (no key)';
        const from = integrity.key_file !== undefined ? `from ${integrity.key_file}` : `from ${KEY_ENV}`;
        return `chain on, key ${key_id ?? '?'} (${from}); checkpoint every ${integrity.checkpoint_every} events or ${d(integrity.checkpoint_interval_ms)}, and at shutdown; checkpoint file ${integrity.checkpoint_file ?? '?'}`;
      },
    },
  },
);

/** The variable that carries the key: a secret row of the flag table (never a flag). */
export const integrityKeySetting: Setting & { readonly order: number } = {
  env: KEY_ENV,
  kind: 'value',
  path: ['integrity', 'key'],
  secret: { refused: 'integrity-key', file: 'integrity-key-file' },
  description: 'the integrity key itself (hex); prefer --integrity-key-file',
  order: 151,
};

/** Whether a key is configured (integrity on). */
export function integrityOn(config: { readonly key?: string; readonly key_file?: string }): boolean {
  return config.key !== undefined || config.key_file !== undefined;
}

/**
 * Reads and parses the configured key. Throws an Error naming where the key came from and what is
 * wrong with it, never its content (integrity/key.ts words the format errors).
 */
export async function readIntegrityKey(config: {
  readonly key?: string;
  readonly key_file?: string;
}): Promise<IntegrityKey | undefined> {
  if (config.key_file !== undefined) {
    let text: string;
    try {
      text = await readFile(config.key_file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new Error(`cannot read the integrity key file "${config.key_file}": ${code}`);
    }
    return parseKey(text, `"${config.key_file}"`);
  }
  if (config.key !== undefined)
    return parseKey(config.key, `the integrity key (${KEY_ENV} or integrity.key)`);
  return undefined;
}
