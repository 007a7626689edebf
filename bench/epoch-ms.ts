/**
 * Wall-clock milliseconds with sub-millisecond precision, comparable between the bench's
 * processes (the writer stamping a line, the receiver stamping its arrival, the bench stamping a
 * spawn): every process measures from its own `performance.timeOrigin`, which is itself read from
 * the system clock, so the sums share one clock.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
