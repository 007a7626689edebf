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
/**
 * The newest format this build reads. 1: the record layout with flags bit 0 (metadata). 2: records
 * may carry an integrity block or be checkpoints (flags bits 1 and 2, README.md): a journal is
 * raised to 2 when it is opened with an integrity key, so an older build refuses it with a clear
 * message instead of cutting its last segment at the first record with an unknown flag.
 */
const version = 2;

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
  /** The format the caller is about to write (2 with an integrity key); an older journal is raised. */
  writes: 1 | 2 = 1,
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
        const meta = { journalId: parsed.journalId, createdAtMs: Number(parsed.createdAtMs) || 0 };
        if (parsed.version < writes) {
          const body = JSON.stringify({ format, version: writes, ...meta }) + '\n';
          await writeFileAtomic(fsOps, dir, path, Buffer.from(body), true);
        }
        return meta;
      }
      logger.error('journal: meta.json has no valid journalId; starting a new journal id', {});
    }
  } else if (names.some((n) => n.startsWith('segment-'))) {
    logger.warn('journal: segments exist but meta.json is missing; starting a new journal id', { dir });
  }
  const meta: JournalMeta = { journalId: randomBytes(10).toString('hex'), createdAtMs: clock.now() };
  const body = JSON.stringify({ format, version: writes, ...meta }) + '\n';
  await writeFileAtomic(fsOps, dir, path, Buffer.from(body), true);
  return meta;
}
