/**
 * Integrity through the built CLI: the key is read from a file or WIRETY_SHIP_INTEGRITY_KEY and
 * never printed (a bad one is a configuration error, exit 78, naming the file or the variable and
 * not the content); a run chains every event and writes its shutdown checkpoint to the sink and to
 * the checkpoint file.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkCheckpoint, type Checkpoint } from '../../src/integrity/checkpoint.js';
import { parseKey } from '../../src/integrity/key.js';
import { tempDir, type TempDir } from '../helpers/e2e-corpus.js';
import { serverLine } from '../helpers/records.js';
import { runCli } from '../helpers/run-cli.js';

const KEY = '7e'.repeat(32);
const dirs: TempDir[] = [];
const dir = async () => {
  const d = await tempDir('ws-integrity-');
  dirs.push(d);
  return d;
};

void describe('integrity through the CLI', () => {
  after(async () => {
    for (const d of dirs.splice(0)) await d.remove();
  });

  void it('a bad key file or variable exits 78 naming it, never showing the content', async () => {
    const d = await dir();
    const secret = 'my secret passphrase, not hex';
    await writeFile(join(d.path, 'key'), secret);
    const fromFile = await runCli(['--stdout', '--integrity-key-file', 'key'], '', {
      cwd: d.path,
      env: { XDG_STATE_HOME: d.path },
      timeoutMs: 15_000,
    });
    assert.equal(fromFile.code, 78, fromFile.stderr);
    assert.match(fromFile.stderr, /integrity\.key_file/);
    assert.match(fromFile.stderr, /key".*hex/);
    assert.ok(!fromFile.stderr.includes('passphrase'), fromFile.stderr);
    const fromEnv = await runCli(['--stdout', '--check-config'], '', {
      cwd: d.path,
      env: { XDG_STATE_HOME: d.path, WIRETY_SHIP_INTEGRITY_KEY: secret },
      timeoutMs: 15_000,
    });
    assert.equal(fromEnv.code, 78, fromEnv.stderr);
    assert.match(fromEnv.stderr, /WIRETY_SHIP_INTEGRITY_KEY/);
    assert.ok(!fromEnv.stderr.includes('passphrase') && !fromEnv.stdout.toString().includes('passphrase'));
  });

  void it('--check-config shows the key id only', async () => {
    const d = await dir();
    const r = await runCli(['--stdout', '--check-config'], '', {
      cwd: d.path,
      env: { XDG_STATE_HOME: d.path, WIRETY_SHIP_INTEGRITY_KEY: KEY },
      timeoutMs: 15_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.toString('utf8') + r.stderr;
    assert.match(out, new RegExp(`chain on, key ${parseKey(KEY, 't').id}`));
    assert.ok(!out.includes(KEY));
  });

  void it('a run chains the events and ends with a checkpoint on the sink and in the checkpoint file', async () => {
    const d = await dir();
    await writeFile(join(d.path, 'key'), KEY + '\n');
    const lines = [1, 2, 3].map((n) => serverLine.replace('"time":1748000000', `"time":${1748000000 + n}`));
    const args = ['--stdout', '--integrity-key-file', 'key', '--data-dir', 'journal'];
    const r = await runCli(args, lines.join('\n') + '\n', {
      cwd: d.path,
      env: { XDG_STATE_HOME: d.path },
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(KEY));
    const out = r.stdout.toString('utf8').trimEnd().split('\n');
    assert.deepEqual(out.slice(0, 3), lines);
    const onSink = JSON.parse(out[3]!) as Checkpoint;
    const file = (await readFile(join(d.path, 'journal', 'checkpoints.ndjson'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Checkpoint);
    assert.deepEqual(file, [onSink]);
    assert.equal(onSink.last_seq, 3);
    assert.equal(onSink.count, 3);
    assert.ok(checkCheckpoint(onSink, [parseKey(KEY, 't')]).ok);
  });
});
