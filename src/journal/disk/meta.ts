/**
 * meta.json: the journal's identity, written once when the journal is created.
 *   {"format": "wirety-ship-journal", "version": 1, "journalId": "<20 hex>", "createdAtMs": …}
 * The journal id prefixes every derived event id (`${journalId}-${seq}`). It is 80 random bits,
 * so a journal that is deleted and recreated never derives an id an earlier journal did
 * (Elasticsearch would answer 409 to a reused `_id` and the new event would be lost silently).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import type { JournalFs } from './fs.js';
import { errorCode, writeFileAtomic } from './fs.js';

export const metaFileName = 'meta.json';
const format = 'wirety-ship-journal';
const version = 1;

export interface JournalMeta {
  readonly journalId: string;
  readonly createdAtMs: number;
}

export async function loadOrCreateMeta(
  fsOps: JournalFs,
  dir: string,
  names: readonly string[],
  clock: Clock,
  logger: Logger,
): Promise<JournalMeta> {
  const path = join(dir, metaFileName);
  if (names.includes(metaFileName)) {
    let parsed:
      { format?: unknown; version?: unknown; journalId?: unknown; createdAtMs?: unknown } | undefined;
    try {
      parsed = JSON.parse((await fsOps.readFile(path)).toString('utf8')) as typeof parsed;
    } catch (err) {
      logger.error(
        'journal: meta.json is unreadable; starting a new journal id (old events may be re-sent)',
        {
          error: errorCode(err),
        },
      );
    }
    if (parsed) {
      if (parsed.format !== format || typeof parsed.version !== 'number') {
        throw new Error(`${dir} is not a wirety-ship journal (meta.json has no "format": "${format}")`);
      }
      if (parsed.version > version) {
        throw new Error(
          `journal format version ${parsed.version} in ${dir} is newer than this build supports (${version})`,
        );
      }
      if (typeof parsed.journalId === 'string' && /^[0-9a-f]{8,64}$/.test(parsed.journalId)) {
        return { journalId: parsed.journalId, createdAtMs: Number(parsed.createdAtMs) || 0 };
      }
      logger.error('journal: meta.json has no valid journalId; starting a new journal id', {});
    }
  } else if (names.some((n) => n.startsWith('segment-'))) {
    logger.warn('journal: segments exist but meta.json is missing; starting a new journal id', { dir });
  }
  const meta: JournalMeta = { journalId: randomBytes(10).toString('hex'), createdAtMs: clock.now() };
  const body = JSON.stringify({ format, version, ...meta }) + '\n';
  await writeFileAtomic(fsOps, dir, path, Buffer.from(body), true);
  return meta;
}
