/**
 * Contiguous commits over out-of-order completions. Batches are opened in cursor order and may
 * finish in any order (max_in_flight > 1, retries, splits); the cursor may only move past batch k
 * once batches 1..k are all final, or a crash would skip the unfinished ones.
 *
 * Pure and bounded: finished batches that cannot be committed yet are merged into one entry per
 * gap, so the window holds at most 2 × (open batches) + 1 entries, however long one batch is stuck
 * in retries while the others keep finishing.
 */

export interface CommitTracker {
  /** Registers the next batch in cursor order, by the seq of its last record; returns its ticket. */
  open(lastSeq: number): number;
  /**
   * Marks a batch final. Returns the seq the cursor may now be committed up to, or undefined when
   * an earlier batch is still open (the commit point did not move).
   */
  finish(ticket: number): number | undefined;
  /** Entries held: open batches and merged runs of finished ones waiting behind an open batch. */
  readonly pending: number;
}

interface Entry {
  /** The ticket of an open batch; -1 once finished (merged runs have no single ticket). */
  ticket: number;
  lastSeq: number;
  done: boolean;
}

export function createCommitTracker(): CommitTracker {
  const window: Entry[] = [];
  let nextTicket = 0;
  let lastOpenedSeq = -Infinity;

  return {
    open(lastSeq) {
      if (lastSeq <= lastOpenedSeq) {
        throw new Error(`batches must be opened in seq order: ${lastSeq} after ${lastOpenedSeq}`);
      }
      lastOpenedSeq = lastSeq;
      window.push({ ticket: nextTicket, lastSeq, done: false });
      return nextTicket++;
    },
    finish(ticket) {
      let i = window.findIndex((e) => e.ticket === ticket && !e.done);
      if (i < 0) throw new Error(`batch ticket ${ticket} is not open`);
      const entry = window[i]!;
      entry.done = true;
      entry.ticket = -1;
      // Merge with finished neighbours: a run of finished batches commits as one, at its last seq.
      const next = window[i + 1];
      if (next?.done) {
        entry.lastSeq = next.lastSeq;
        window.splice(i + 1, 1);
      }
      if (window[i - 1]?.done) {
        window.splice(i - 1, 1);
        i--;
      }
      if (i !== 0) return undefined;
      window.shift();
      return entry.lastSeq;
    },
    get pending() {
      return window.length;
    },
  };
}
