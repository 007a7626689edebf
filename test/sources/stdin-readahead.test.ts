/**
 * How far the input reads ahead of the journal (README, "Delivery guarantees"): with the journal
 * blocked, ingest holds the chunk it is journaling and Node's stream has read at most one more pipe
 * chunk (64 KiB) ahead; everything else stays in the pipe, so backpressure reaches the writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serverLine } from '../helpers/records.js';

const fixture = fileURLToPath(new URL('./fixtures/stdin-readahead.ts', import.meta.url));
const pipeChunk = 64 * 1024; // what one read from a pipe returns at most (libuv)

test('with the journal blocked, at most two pipe chunks are read: the one being journaled and one ahead', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined); // the child exits with input left in the pipe
  const input = Buffer.from(`${serverLine}\n`.repeat(Math.ceil((2 * 1024 * 1024) / (serverLine.length + 1))));
  child.stdin.write(input);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  const { bytesRead, taken } = JSON.parse(stdout) as { bytesRead: number; taken: number };
  assert.ok(taken > 0 && taken <= pipeChunk, `ingest took one chunk (${taken} bytes)`);
  assert.ok(bytesRead - taken <= pipeChunk, `at most one more chunk read ahead (${bytesRead - taken} bytes)`);
  assert.ok(bytesRead <= 2 * pipeChunk, `${bytesRead} bytes read in all`);
  assert.ok(bytesRead < input.length, 'the rest waits in the pipe');
});
