/**
 * fs.watch as a hint only: wakes the idle input as soon as a directory holding one of its open
 * files changes, instead of at the next poll. Polling stays the rule, because inotify misses
 * events on some file systems (network mounts, some overlay setups) and never reports a directory
 * it was not asked to watch (a new pod's). A hint that cannot be set up is simply not used.
 */
import { watch, type FSWatcher } from 'node:fs';

export interface ChangeHint {
  /** Watches exactly these directories (stops watching the others). */
  watch(dirs: Iterable<string>): void;
  /** Resolves at the next change since the last call (at once if one came in between). */
  next(): Promise<void>;
  /** The directories that changed since the last call. */
  takeChanged(): Set<string>;
  close(): void;
}

export function createChangeHint(): ChangeHint {
  const watchers = new Map<string, FSWatcher>();
  let changed = false;
  let changedDirs = new Set<string>();
  let wake: (() => void) | undefined;
  const notify = (dir: string) => {
    changed = true;
    changedDirs.add(dir);
    wake?.();
  };
  return {
    watch(dirs) {
      const wanted = new Set(dirs);
      for (const [dir, watcher] of watchers) {
        if (wanted.has(dir)) continue;
        watcher.close();
        watchers.delete(dir);
      }
      for (const dir of wanted) {
        if (watchers.has(dir)) continue;
        try {
          const watcher = watch(dir, { persistent: false }, () => notify(dir));
          watcher.on('error', () => {
            watcher.close();
            watchers.delete(dir);
          });
          watchers.set(dir, watcher);
        } catch {
          // No watch (ENOSPC for inotify watches, unsupported file system): polling covers it.
        }
      }
    },
    next() {
      if (changed) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        wake = () => {
          wake = undefined;
          changed = false;
          resolve();
        };
      });
    },
    takeChanged() {
      const dirs = changedDirs;
      changedDirs = new Set();
      return dirs;
    },
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      wake?.();
    },
  };
}
