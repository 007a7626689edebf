/**
 * "Did you mean …?" for unknown keys, flags, sink types and WIRETY_SHIP_* variables. A suggestion
 * is offered only when it is close (edit distance within ~40% of the word, or the word is the start
 * of exactly one candidate): a wrong guess is worse than none, because it sends the user to the
 * docs for the wrong setting.
 */
import { closest, distance } from 'fastest-levenshtein';

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0 || word === '') return undefined;
  const lower = word.toLowerCase();
  // "insecure" for "insecure_skip_verify": far in edits, but an unambiguous start of one key.
  const starting = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  if (lower.length >= 4 && starting.length === 1) return starting[0];
  const best = closest(
    lower,
    candidates.map((c) => c.toLowerCase()),
  );
  const index = candidates.findIndex((c) => c.toLowerCase() === best);
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) * 0.4));
  return distance(lower, best) <= limit ? candidates[index] : undefined;
}

/** `; did you mean "x"?` or an empty string, ready to append to a message. */
export function didYouMean(word: string, candidates: readonly string[], quote = '"'): string {
  const hit = suggest(word, candidates);
  return hit === undefined ? '' : `; did you mean ${quote}${hit}${quote}?`;
}
