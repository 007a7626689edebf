/**
 * A start that fails after the journal opened closes what it opened: the journal's lock is
 * released and its seq reservation settled, so the next start opens it cleanly (no "did not close
 * cleanly" warning, no skipped seqs) and the dead-letter file is closed.
 */
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadCommand } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { openEventLog } from '../../src/journal/open-event-log.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { startPipeline } from '../../src/pipeline/pipeline.js';
import { createFakeClock } from '../helpers/fake-clock.js';

async function configIn(dir: string): Promise<Config> {
  await writeFile(join(dir, 'token'), 'secret-token\n');
  await writeFile(
    join(dir, 'ship.yaml'),
    [
      'buffer: { type: disk, data_dir: data }',
      'dead_letter: { path: dead.ndjson }',
      'sinks:',
      '  hec:',
      '    type: splunk_hec',
      '    url: http://127.0.0.1:9',
      '    token_file: token',
      '',
    ].join('\n'),
  );
  const command = await loadCommand(['--config', 'ship.yaml'], {}, { cwd: dir, hostname: 'h', uid: 1000 });
  assert.equal(command.kind, 'run');
  return command.config;
}

test('a start that fails after the journal opened leaves it closed for the next start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-failed-start-'));
  try {
    const config = await configIn(dir);
    // The sink is built after the journal opened: its token file vanished since the config was read.
    await unlink(join(dir, 'token'));
    const clock = createFakeClock();
    await assert.rejects(
      startPipeline(config, {
        input: new PassThrough(),
        stdout: new PassThrough(),
        clock,
        logger: createMemoryLogger(),
        summaryFormat: 'json',
      }),
      /token_file/,
    );

    const logger = createMemoryLogger();
    const log = await openEventLog(config.buffer, ['hec'], { clock, logger });
    await log.close();
    const unclean = logger.entries.filter((e) => /did not close cleanly/.test(e.message));
    assert.deepEqual(unclean, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
