/**
 * The periodic progress line (log.progress_interval): the summary's numbers, as fields of a
 * "progress" log entry in JSON mode and as the summary text otherwise.
 *
 * Invariant: a progress line is written only when something changed since the last one (a
 * counter, a sink's pending count, its failure); an idle process says nothing, so a quiet
 * night does not fill the logs with identical lines.
 */
import type { Logger } from '../observe/logger.js';
import type { Stats } from '../observe/stats.js';
import { formatSummary, summaryFields, type SinkProgress } from './summary.js';

export interface ProgressReporter {
  /** Logs a progress line if anything changed since the last one (or since creation). */
  report(): void;
}

export function createProgressReporter(options: {
  readonly stats: Stats;
  readonly sinks: () => SinkProgress[];
  readonly logger: Logger;
  readonly format: 'text' | 'json';
}): ProgressReporter {
  const snapshot = () => {
    const sinks = options.sinks();
    const fields = summaryFields(options.stats, sinks);
    return { sinks, fields, key: JSON.stringify(fields) };
  };
  let last = snapshot().key;
  return {
    report() {
      const now = snapshot();
      if (now.key === last) return;
      last = now.key;
      if (options.format === 'json') options.logger.info('progress', now.fields);
      else options.logger.info(`progress: ${formatSummary(options.stats, now.sinks)}`);
    },
  };
}
