/**
 * bench/counting-receiver.ts started as a child process (so its decoding runs beside the
 * shipper, not inside the bench), and the bench's client for it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface ReceiverCount {
  readonly events: number;
  readonly requests: number;
  /** Wall-clock ms (bench/epoch-ms.ts) when the first / last delivery request had arrived. */
  readonly firstAt?: number;
  readonly lastAt?: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface Receiver {
  readonly url: string;
  count(): Promise<ReceiverCount>;
  /** Delivery latency of the stamped lines sent at or after `since` (wall-clock ms). */
  latency(since?: number): Promise<LatencySummary>;
  /** Answers 503 to every delivery from now on (down) or stops doing so (up). */
  setDown(down: boolean): Promise<void>;
  /** Zeroes the counts, the arrival times and the latencies. */
  reset(): Promise<void>;
  stop(): void;
}

export async function startReceiver(root: string, down = false): Promise<Receiver> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench', 'counting-receiver.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_RECEIVER_DOWN: down ? '1' : '0' },
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', () => reject(new Error('receiver exited')));
  });
  const url = `http://127.0.0.1:${port}`;
  const get = async (p: string) => (await fetch(`${url}${p}`)).json();
  return {
    url,
    count: async () => (await get('/count')) as ReceiverCount,
    latency: async (since = 0) => (await get(`/latency?since=${since}`)) as LatencySummary,
    setDown: async (d) => void (await (await fetch(`${url}/${d ? 'down' : 'up'}`)).text()),
    reset: async () => void (await (await fetch(`${url}/reset`, { method: 'POST' })).text()),
    stop: () => child.kill('SIGTERM'),
  };
}
