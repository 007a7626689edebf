/**
 * Receive times of the records a cursor has taken but not yet committed, so `lag()` can name the
 * oldest undelivered event without reading the disk. Flat [seq, time, seq, time…] with a moving
 * head and occasional compaction: O(1) amortised per record, bounded by what the sink has in flight.
 */
export interface TakenTimes {
  add(seq: number, receivedAtMs: number): void;
  /** Forgets records with seq <= upTo. */
  dropThrough(upTo: number): void;
  /** Receive time of the oldest record remembered, if any. */
  oldest(): number | undefined;
  clear(): void;
}

export function createTakenTimes(): TakenTimes {
  let items: number[] = [];
  let head = 0;
  return {
    add(seq, receivedAtMs) {
      items.push(seq, receivedAtMs);
    },
    dropThrough(upTo) {
      while (head < items.length && items[head]! <= upTo) head += 2;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head >= 2048 && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
    },
    oldest: () => (head < items.length ? items[head + 1] : undefined),
    clear() {
      items = [];
      head = 0;
    },
  };
}
