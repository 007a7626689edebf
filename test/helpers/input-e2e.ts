/**
 * What the file and Forward input e2e tests share: waiting for lines at a Loki receiver, stopping
 * the CLI, and reading what the journal holds.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { LokiReceiver } from '../receivers/loki-receiver.js';
import { pollUntil, segmentFiles } from './e2e-corpus.js';
import type { CliProcess } from './run-cli.js';

/** Every line of `lines` at the receiver at least once (copies sent twice count once). */
export async function waitForLines(
  receiver: LokiReceiver,
  lines: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const want = new Set(lines);
  await pollUntil(
    `${want.size} distinct lines at the receiver`,
    () => {
      const seen = new Set(receiver.entries().map((e) => e.line));
      for (const line of want) if (!seen.has(line)) return undefined;
      return true;
    },
    timeoutMs,
  );
}

/** SIGTERM, and the run's result once it exited (never a timeout). */
export async function stopCli(cli: CliProcess) {
  cli.child.kill('SIGTERM');
  const result = await cli.result;
  assert.equal(result.timedOut, false, result.stderr);
  return result;
}

/** The journal's segment files as text: a journaled line is in it byte for byte. */
export async function journalText(dataDir: string): Promise<string> {
  const texts = await Promise.all((await segmentFiles(dataDir)).map((f) => readFile(f, 'latin1')));
  return texts.join('');
}
