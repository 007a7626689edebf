/**
 * A file (or stdin, "-") as lines, streamed: never the whole file in memory. Line numbers start at 1.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export async function* readLines(file: string, stdin?: Readable): AsyncGenerator<string> {
  const input = file === '-' ? (stdin ?? process.stdin) : createReadStream(file, { highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
    if (file !== '-') (input as ReturnType<typeof createReadStream>).destroy();
  }
}
