/**
 * A signal of our own that also aborts when any of its parents does (with that parent's reason),
 * for a wait or request that shutdown must end but that we may end earlier ourselves (a timeout,
 * a failure, the wait is over).
 *
 * Why not only AbortSignal.any: the parents here are long-lived (the run's stop signal) and the
 * children many (one per request or wait); AbortSignal.any lets go of a child only when the
 * garbage collector does. `dispose()` removes the child from its parents at once.
 */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts this signal only (not the parents); a no-op once aborted. */
  abort(reason?: unknown): void;
  /** Unlinks from the parents. Call it when the wait or request is over. */
  dispose(): void;
}

export function linkedAbort(...parents: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const controller = new AbortController();
  const linked = parents.filter((p): p is AbortSignal => p !== undefined);
  const dispose = (): void => {
    for (const parent of linked) parent.removeEventListener('abort', onParentAbort);
  };
  function onParentAbort(this: AbortSignal): void {
    dispose();
    controller.abort(this.reason);
  }
  for (const parent of linked) {
    if (parent.aborted) {
      dispose();
      controller.abort(parent.reason);
      break;
    }
    parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal: controller.signal,
    abort: (reason?: unknown) => controller.abort(reason),
    dispose,
  };
}
