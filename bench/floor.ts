/**
 * The Node floor of issue 12: the least any Node shipper must do with the corpus, and nothing
 * more. It reads standard input as the shipper does (a pipe, `for await` over the chunks Node
 * reads), cuts lines at "\n", `JSON.parse`s each and keeps those whose `log_type` is "audit";
 * it ships nothing. Every throughput figure of `npm run bench` is printed as a ratio to this one,
 * measured in the same run, on the same corpus, fed the same way (bench/exiting-process.ts).
 *
 * It imports only node: modules, so the bench runs it as plain JavaScript (bench/plain-script.ts):
 * no TypeScript loader in its start-up time or its memory.
 *
 * Prints {"lines":N,"audit":M} on stdout at EOF.
 */
let lines = 0;
let audit = 0;
/** The unterminated end of the previous chunk. */
let rest: Buffer | undefined;

function keep(text: string): void {
  lines++;
  try {
    const event = JSON.parse(text) as unknown;
    if (
      typeof event === 'object' &&
      event !== null &&
      (event as Record<string, unknown>).log_type === 'audit'
    )
      audit++;
  } catch {
    // A broken line: the shipper would dead-letter it; the floor only skips it.
  }
}

for await (const read of process.stdin as AsyncIterable<Buffer>) {
  const chunk = rest === undefined ? read : Buffer.concat([rest, read]);
  let start = 0;
  for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
    keep(chunk.toString('utf8', start, nl));
    start = nl + 1;
  }
  rest = start < chunk.length ? chunk.subarray(start) : undefined;
}
if (rest !== undefined) keep(rest.toString('utf8'));
process.stdout.write(`${JSON.stringify({ lines, audit })}\n`);
