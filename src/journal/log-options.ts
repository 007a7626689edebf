/**
 * Checks shared by every event log implementation. Bad options are configuration bugs, so they throw.
 */
export interface CommonLogOptions {
  readonly sinkNames: readonly string[];
  readonly maxBytes: number;
  readonly whenFull: 'block' | 'drop_newest';
}

export function validateLogOptions(options: CommonLogOptions): void {
  if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes <= 0) {
    throw new RangeError(`event log maxBytes must be a positive integer, got ${options.maxBytes}`);
  }
  if (options.whenFull !== 'block' && options.whenFull !== 'drop_newest') {
    throw new RangeError(
      `event log whenFull must be "block" or "drop_newest", got ${String(options.whenFull)}`,
    );
  }
  const seen = new Set<string>();
  for (const name of options.sinkNames) {
    if (name.length === 0) throw new RangeError('event log sink names must not be empty');
    if (seen.has(name)) throw new RangeError(`event log sink "${name}" is listed twice`);
    seen.add(name);
  }
}

/** What a blocked or late append rejects with once the log is closed (code JOURNAL_CLOSED). */
export function closedError(): Error {
  return Object.assign(new Error('event log is closed'), { code: 'JOURNAL_CLOSED' });
}
