/**
 * Runs a file input against a temporary directory with a fake clock and a consumer that settles
 * each batch (optionally holding one back, as ingest does while the journal is full).
 */
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputBatch, InputLine } from '../../../src/sources/input.js';
import { createFileInput, type FileInputOptions } from '../../../src/sources/files/file-input.js';
import { createMemoryLogger } from '../../../src/observe/logger.js';
import { createFakeClock, type FakeClock } from '../../helpers/fake-clock.js';

export interface Received extends InputLine {
  readonly source: string;
}

export interface Harness {
  readonly dir: string;
  readonly clock: FakeClock;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  readonly received: Received[];
  /** Batches handed over and not settled yet (when `settle` is false). */
  readonly held: InputBatch[];
  /** Advances the clock a tick at a time until `condition` holds (at most `ticks` ticks). */
  /** Waits (moving the clock while the input is idle) until `condition` holds, at most `timeoutMs` of real time. */
  until(condition: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Lets `count` discovery ticks pass, each once the input is idle. */
  ticks(count: number): Promise<void>;
  positions(): Promise<Record<string, { offset: number }>>;
  stop(): Promise<void>;
}

export const texts = (lines: readonly InputLine[]): string[] =>
  lines.map((l) => (l.framed.kind === 'line' ? l.framed.text : `<${l.framed.kind}:${l.framed.bytes}>`));

export async function tempDir(): Promise<string> {
  return fsp.mkdtemp(join(tmpdir(), 'file-input-'));
}

export function startInput(
  dir: string,
  options: Partial<FileInputOptions> & { include: string[] },
  consumer: { settle?: boolean; clock?: FakeClock } = {},
): Harness {
  const clock = consumer.clock ?? createFakeClock();
  const logger = createMemoryLogger();
  const input = createFileInput({
    name: 'pods',
    max_line_bytes: 64 * 1024,
    positionsPath: join(dir, 'data', 'positions-pods.json'),
    positions_write_interval: 0,
    glob_interval: 1000,
    clock,
    logger,
    ...options,
  });
  const received: Received[] = [];
  const held: InputBatch[] = [];
  const abort = new AbortController();
  let failure: Error | undefined;
  const loop = (async () => {
    for await (const batch of input.batches(abort.signal)) {
      received.push(...batch.lines.map((line) => ({ ...line, source: batch.source })));
      if (consumer.settle === false) held.push(batch);
      else await batch.settled('stored');
    }
  })().catch((error: unknown) => (failure = error instanceof Error ? error : new Error(String(error))));
  const harness: Harness = {
    dir,
    clock,
    logger,
    received,
    held,
    async until(condition, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition() && Date.now() < deadline) {
        if (failure) throw failure;
        // Time moves only while the input is idle (asleep until its next tick); real file I/O runs
        // in between, so this waits on it, bounded by the deadline, without sleep-and-hope.
        if (clock.pending() > 0) await clock.advance(1000);
        else await new Promise((resolve) => setTimeout(resolve, 1));
      }
      assert.ok(condition(), `timed out waiting for: ${what} (received ${received.length} lines)`);
    },
    async ticks(count) {
      for (let i = 0; i < count; i++) {
        await harness.until(() => clock.pending() > 0, 'the input to be idle');
        await clock.advance(1000);
      }
    },
    async positions() {
      const text = await fsp
        .readFile(join(dir, 'data', 'positions-pods.json'), 'utf8')
        .catch(() => '{"files":{}}');
      return (JSON.parse(text) as { files: Record<string, { offset: number }> }).files;
    },
    async stop() {
      abort.abort();
      await input.close();
      await loop;
      if (failure) throw failure;
    },
  };
  return harness;
}
