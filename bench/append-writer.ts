/**
 * A writer for the file-tailing benchmark: appends the lines of SRC to DST in chunks of whole
 * lines (one write(2) per chunk, as a process writing its stdout to a file does), while
 * wirety-ship tails DST. Runs in its own process so its cost is not the shipper's.
 *
 *   node --import tsx bench/append-writer.ts SRC DST [CHUNK_LINES=1000] [LINES_PER_SECOND=0]
 *
 * LINES_PER_SECOND 0 appends as fast as the disk takes it (yielding to the event loop between
 * chunks); otherwise the writer paces itself to that rate. Prints {"lines":N,"seconds":S} when done.
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep, setImmediate as yieldToLoop } from 'node:timers/promises';

const [src, dst, chunkArg, rateArg] = process.argv.slice(2);
const chunkLines = Number(chunkArg ?? 1000);
const rate = Number(rateArg ?? 0);
if (src === undefined || dst === undefined || !(chunkLines > 0) || !(rate >= 0)) {
  process.stderr.write(
    'usage: node --import tsx bench/append-writer.ts SRC DST [CHUNK_LINES] [LINES_PER_SECOND]\n',
  );
  process.exit(2);
}

const fd = openSync(dst, 'a');
const started = performance.now();
let lines = 0;
let pending = '';
let pendingLines = 0;

async function flush(): Promise<void> {
  if (pendingLines === 0) return;
  writeSync(fd, pending);
  lines += pendingLines;
  pending = '';
  pendingLines = 0;
  if (rate > 0) {
    const due = (lines / rate) * 1000 - (performance.now() - started);
    if (due > 0) await sleep(due);
  } else {
    await yieldToLoop();
  }
}

for await (const line of createInterface({ input: createReadStream(src), crlfDelay: Infinity })) {
  pending += line + '\n';
  if (++pendingLines >= chunkLines) await flush();
}
await flush();
closeSync(fd);
process.stdout.write(JSON.stringify({ lines, seconds: (performance.now() - started) / 1000 }) + '\n');
