/**
 * "Nothing disappears silently" for the journal's own trouble: a stretch of time during which
 * appends are paused (when_full: block) or events are dropped (drop_newest), because the journal is
 * full (maxBytes), the disk is full (ENOSPC, EDQUOT) or its writes fail, is one episode. Each episode is logged once when it starts (once per
 * cause) and once when it ends, with how long it lasted and how many events it dropped, so a
 * full disk produces two log lines, not one per batch. `active` is what stats().full reports.
 */
import type { ErrorCode } from '../../errors.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';
import { errorCode } from './fs.js';

/** space: maxBytes reached; disk_full: the file system refused a write for lack of room; error: any other failure. */
export type EpisodeCause = 'space' | 'disk_full' | 'error';

export interface FullEpisode {
  readonly active: boolean;
  /** Starts (or continues) an episode; logs the cause the first time it appears in it. */
  enter(cause: EpisodeCause, fields: Record<string, unknown>, err?: unknown): void;
  dropped(count: number): void;
  /** Ends the episode, if any. */
  leave(): void;
}

export function createFullEpisode(
  clock: Clock,
  logger: Logger,
  whenFull: 'block' | 'drop_newest',
): FullEpisode {
  const drop = whenFull === 'drop_newest';
  let active = false;
  let since = 0;
  let droppedCount = 0;
  let causes = new Set<string>();

  return {
    get active() {
      return active;
    },
    enter(cause, fields, err) {
      if (!active) {
        active = true;
        since = clock.now();
        droppedCount = 0;
      }
      if (causes.has(cause)) return;
      causes.add(cause);
      if (cause === 'space') {
        logger.warn(drop ? 'journal full: dropping the newest events' : 'journal full: input paused', {
          ...fields,
          whenFull,
        });
      } else if (cause === 'disk_full') {
        const message = drop
          ? 'journal: the disk is full: dropping the newest events until space is freed'
          : 'journal: the disk is full: input paused until the sinks catch up and space is freed';
        logger.error(message, {
          code: 'WS_ERR_DISK_FULL' satisfies ErrorCode,
          ...fields,
          whenFull,
          error: errorCode(err),
        });
      } else {
        const message = drop
          ? 'journal write failed: dropping events'
          : 'journal write failed: input paused, retrying';
        logger.error(message, { ...fields, whenFull, error: errorCode(err) });
      }
    },
    dropped(count) {
      droppedCount += count;
    },
    leave() {
      if (!active) return;
      active = false;
      causes = new Set();
      logger.info(drop ? 'journal: storing events again' : 'journal: input resumed', {
        pausedMs: clock.now() - since,
        dropped: droppedCount,
      });
    },
  };
}
