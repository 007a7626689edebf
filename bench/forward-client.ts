/**
 * A Fluent Forward client for the benchmark (built on @msgpack/msgpack, like the listener), sending
 * every line of a corpus file over one TCP connection as Docker's `fluentd` log driver records
 * (`{container_id, container_name, source: "stdout", log}`, EventTime), each request with a
 * `chunk` and waiting for its `{"ack": chunk}`:
 *
 * - `packed`: PackedForward requests of BATCH entries (`bin` of concatenated [time, record]), as
 *   fluentd's and Fluent Bit's forward outputs batch;
 * - `message`: one Message request per line, the next sent only once the previous is acked, as
 *   Docker does with `fluentd-request-ack=true` (fluent-logger-golang blocks on each ack).
 *
 *   node --import tsx bench/forward-client.ts HOST PORT packed|message CORPUS [BATCH=1000] [WINDOW=1]
 *
 * WINDOW is how many requests may wait for their ack at once (1: send, wait, send). Runs in its own
 * process so its cost is not the shipper's. Prints {"lines":N,"requests":R,"seconds":S} when every
 * request is acked; exits 1 if the connection closes first or an ack does not match.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ExtData, decodeMultiStream, encode } from '@msgpack/msgpack';

const [host, portArg, mode, corpusPath, batchArg, windowArg] = process.argv.slice(2);
const port = Number(portArg);
const batch = mode === 'message' ? 1 : Number(batchArg ?? 1000);
const window = Number(windowArg ?? 1);
if (
  host === undefined ||
  !(port > 0) ||
  (mode !== 'packed' && mode !== 'message') ||
  corpusPath === undefined ||
  !(batch > 0) ||
  !(window > 0)
) {
  process.stderr.write(
    'usage: node --import tsx bench/forward-client.ts HOST PORT packed|message CORPUS [BATCH] [WINDOW]\n',
  );
  process.exit(2);
}

const TAG = 'docker.wirety';
const CONTAINER_ID = randomBytes(32).toString('hex');
const CONTAINER_NAME = '/wirety-server';

/** EventTime: msgpack ext type 0, uint32 BE seconds + uint32 BE nanoseconds. */
function eventTime(ms: number): ExtData {
  const data = new Uint8Array(8);
  const view = new DataView(data.buffer);
  view.setUint32(0, Math.floor(ms / 1000));
  view.setUint32(4, (ms % 1000) * 1_000_000);
  return new ExtData(0, data);
}

function record(line: string) {
  return { container_id: CONTAINER_ID, container_name: CONTAINER_NAME, source: 'stdout', log: line };
}

const socket = connect(port, host);
socket.setNoDelay(true);
await once(socket, 'connect');

interface Waiting {
  readonly chunk: string;
  readonly acked: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}
const waiting: Waiting[] = [];
let closedError: Error | undefined;

function waitFor(chunk: string): Waiting {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const acked = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  acked.catch(() => undefined);
  return { chunk, acked, resolve, reject };
}

// Acks come back in request order on one connection; each must name the oldest waiting chunk.
void (async () => {
  try {
    for await (const answer of decodeMultiStream(socket)) {
      const oldest = waiting.shift();
      const ack = (answer as { ack?: unknown } | null)?.ack;
      if (oldest === undefined || ack !== oldest.chunk) {
        throw new Error(
          `unexpected answer ${JSON.stringify(answer)} (waiting for ${oldest?.chunk ?? 'nothing'})`,
        );
      }
      oldest.resolve();
    }
    throw new Error('connection closed by the server');
  } catch (error) {
    closedError = error instanceof Error ? error : new Error(String(error));
    for (const w of waiting.splice(0)) w.reject(closedError);
  }
})();

const started = performance.now();
let lines = 0;
let requests = 0;
let entries: Uint8Array[] = [];

async function send(request: Uint8Array, chunk: string): Promise<void> {
  if (closedError) throw closedError;
  const w = waitFor(chunk);
  waiting.push(w);
  requests++;
  if (!socket.write(request)) await once(socket, 'drain');
  while (waiting.length >= window) await (waiting[0] as Waiting).acked;
}

async function sendPacked(): Promise<void> {
  if (entries.length === 0) return;
  const size = entries.length;
  const packed = Buffer.concat(entries);
  entries = [];
  const chunk = randomBytes(16).toString('base64');
  await send(encode([TAG, packed, { chunk, size }]), chunk);
}

for await (const line of createInterface({ input: createReadStream(corpusPath), crlfDelay: Infinity })) {
  lines++;
  if (mode === 'message') {
    const chunk = randomBytes(16).toString('base64');
    await send(encode([TAG, eventTime(Date.now()), record(line), { chunk }]), chunk);
  } else {
    entries.push(encode([eventTime(Date.now()), record(line)]));
    if (entries.length >= batch) await sendPacked();
  }
}
await sendPacked();
await Promise.all(waiting.map((w) => w.acked));
const seconds = (performance.now() - started) / 1000;
socket.end();
process.stdout.write(JSON.stringify({ lines, requests, seconds }) + '\n');
process.exit(0);
