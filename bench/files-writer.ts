/**
 * A writer for the many-files benchmark: FILES files in DIR (`app-000.log` …), each appended
 * LINES_PER_SECOND corpus lines a second for SECONDS seconds, the way a node's containers log.
 * Every 100 ms each file gets the lines it is due (paced on the monotonic clock, so a late tick
 * catches up instead of drifting). Runs in its own process so its cost is not the shipper's.
 *
 *   node --import tsx bench/files-writer.ts DIR FILES LINES_PER_SECOND SECONDS [SEED=2]
 *
 * Prints {"lines":N,"audit":A,"seconds":S} when done: A is the number of valid audit events
 * written, the count every sink must end up receiving.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { corpusLines, type CorpusTally } from './corpus.js';

const [dir, filesArg, rateArg, secondsArg, seedArg] = process.argv.slice(2);
const files = Number(filesArg);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const seed = Number(seedArg ?? 2);
if (dir === undefined || !(files > 0) || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write(
    'usage: node --import tsx bench/files-writer.ts DIR FILES LINES_PER_SECOND SECONDS [SEED]\n',
  );
  process.exit(2);
}

const perFile = Math.round(rate * seconds);
const tally: CorpusTally = { valid: 0, unknownAction: 0, other: 0, truncated: 0, wrongType: 0 };
const source = corpusLines(files * perFile, seed, tally);
const fds = Array.from({ length: files }, (_, i) =>
  openSync(path.join(dir, `app-${String(i).padStart(3, '0')}.log`), 'a'),
);
const written = new Array<number>(files).fill(0);
const started = performance.now();
let lines = 0;

function tick(): boolean {
  const due = Math.min(perFile, Math.floor(((performance.now() - started) / 1000) * rate));
  for (let i = 0; i < files; i++) {
    let chunk = '';
    while ((written[i] as number) < due) {
      chunk += (source.next().value as string) + '\n';
      written[i] = (written[i] as number) + 1;
      lines++;
    }
    if (chunk !== '') writeSync(fds[i] as number, chunk);
  }
  return due >= perFile;
}

await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    if (tick()) {
      clearInterval(timer);
      resolve();
    }
  }, 100);
});
for (const fd of fds) closeSync(fd);
process.stdout.write(
  JSON.stringify({
    lines,
    audit: tally.valid + tally.unknownAction,
    seconds: (performance.now() - started) / 1000,
  }) + '\n',
);
