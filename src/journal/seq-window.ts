/**
 * A window of items keyed by consecutive sequence numbers: push at the back, drop from the front,
 * read any seq in O(1). The front is an offset into a flat array, compacted once the dead prefix is
 * both large and at least half the array, so every operation is amortised O(1) and no per-item
 * `Array.shift` ever runs on a big array.
 */
export interface SeqWindow<T> {
  /** Seq of the oldest item held (meaningful only when size > 0). */
  readonly firstSeq: number;
  /** Seq the next pushed item gets. */
  readonly nextSeq: number;
  readonly size: number;
  push(item: T): void;
  /** The item with this seq, or undefined outside the window. */
  get(seq: number): T | undefined;
  /** Removes and returns the oldest item. */
  shift(): T | undefined;
  /** Forgets everything and restarts numbering at `nextSeq`. */
  reset(nextSeq: number): void;
}

const compactAfter = 1024;

export function createSeqWindow<T>(firstSeq = 1): SeqWindow<T> {
  let items: (T | undefined)[] = [];
  let head = 0;
  let first = firstSeq;

  return {
    get firstSeq() {
      return first;
    },
    get nextSeq() {
      return first + items.length - head;
    },
    get size() {
      return items.length - head;
    },
    push(item) {
      items.push(item);
    },
    get(seq) {
      const i = seq - first;
      if (i < 0 || i >= items.length - head) return undefined;
      return items[head + i];
    },
    shift() {
      if (head >= items.length) return undefined;
      const item = items[head];
      items[head] = undefined; // let the record be collected before compaction
      head++;
      first++;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head >= compactAfter && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
      return item;
    },
    reset(nextSeq) {
      items = [];
      head = 0;
      first = nextSeq;
    },
  };
}
