/**
 * The audit writer of the real-rate scenario (bench/audit-rate.ts): writes valid audit lines of
 * the bench corpus to stdout (the shipper's stdin) at RATE lines/s for SECONDS, one write per line
 * as a server logging each event does, each line stamped with its send time:
 * `"bench_sent_ms":<wall-clock ms>` (bench/epoch-ms.ts) added as the last field. The audit schema
 * allows extra fields (config/audit-event.schema.json), so the stamp changes nothing in how the
 * event is classified; the counting receiver reads it back to measure delivery latency.
 *
 *   node --import tsx bench/paced-writer.ts RATE SECONDS
 *
 * It prints {"startedAt":<wall-clock ms>} on stderr as it starts writing, and when done
 * {"lines":N,"seconds":S,"maxLateMs":L}; then it keeps stdout open (an idle writer, not EOF,
 * which would make the shipper flush at once) until it is killed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { corpusLines, type CorpusTally } from './corpus.js';
import { epochMs } from './epoch-ms.js';

const [rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
if (!(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: node --import tsx bench/paced-writer.ts RATE SECONDS\n');
  process.exit(2);
}
process.stdout.on('error', () => process.exit(1)); // the shipper is gone

/** Valid audit lines only: the corpus tally says which lines those were. */
function* auditLines(): Generator<string> {
  const tally: CorpusTally = { valid: 0, unknownAction: 0, other: 0, truncated: 0, wrongType: 0 };
  let audit = 0;
  for (const line of corpusLines(Number.MAX_SAFE_INTEGER, 7, tally)) {
    const now = tally.valid + tally.unknownAction;
    if (now !== audit) {
      audit = now;
      yield line;
    }
  }
}

const total = Math.round(rate * seconds);
const started = performance.now();
process.stderr.write(`${JSON.stringify({ startedAt: epochMs() })}\n`);
let maxLateMs = 0;
let written = 0;
for (const line of auditLines()) {
  if (written === total) break;
  const due = started + (written * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  else maxLateMs = Math.max(maxLateMs, -wait);
  // The line ends with "}": the stamp goes in as its last field, taken at the write itself.
  process.stdout.write(`${line.slice(0, -1)},"bench_sent_ms":${epochMs().toFixed(3)}}\n`);
  written++;
}
process.stderr.write(
  `${JSON.stringify({ lines: written, seconds: (performance.now() - started) / 1000, maxLateMs })}\n`,
);
setInterval(() => undefined, 1 << 30); // keep stdout open until killed
