/**
 * Writes records to the dead-letter file and counts them: written ones by reason
 * (dead_lettered), and those a shutdown cut short on a refusing disk as dead_letter_failed, so
 * nothing is lost uncounted. Any other failure is a bug and is thrown.
 */
import { countDeadLettered, type Stats } from '../observe/stats.js';
import { isDeadLetterUnwritten, type DeadLetterRecord, type DeadLetterSink } from './dead-letter.js';

export async function writeCounted(
  deadLetter: DeadLetterSink,
  records: readonly DeadLetterRecord[],
  stats: Stats,
  stop: AbortSignal,
): Promise<void> {
  try {
    await deadLetter.write(records, stop);
    countDeadLettered(stats, records);
  } catch (error) {
    if (!isDeadLetterUnwritten(error)) throw error;
    stats.deadLetterFailed += records.length;
  }
}
