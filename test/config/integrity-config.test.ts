import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyId } from '../../src/integrity/key.js';
import { fails, failsFile, load, run, withFile } from './helpers.js';

const KEY = 'ab'.repeat(32);
const LOKI = ['--loki', 'http://127.0.0.1:3100'];

void describe('integrity: configuration', () => {
  void it('is off without a key, with the documented defaults', async () => {
    const config = await run(LOKI);
    assert.equal(config.integrity.key, undefined);
    assert.equal(config.integrity.key_file, undefined);
    assert.equal(config.integrity.checkpoint_every, 10000);
    assert.equal(config.integrity.checkpoint_interval_ms, 60_000);
    assert.equal(config.integrity.checkpoint_file, join(config.buffer.data_dir, 'checkpoints.ndjson'));
  });

  void it('reads the key from --integrity-key-file; --check-config shows its id, never the key', async () => {
    await withFile('', async (dir) => {
      await writeFile(join(dir, 'key'), `${KEY}\n`);
      const config = await run([...LOKI, '--integrity-key-file', 'key'], {}, dir);
      assert.equal(config.integrity.key_file, join(dir, 'key'));
      assert.equal(config.integrity.key_id, keyId(Buffer.from(KEY, 'hex')));
      const check = await load([...LOKI, '--integrity-key-file', 'key', '--check-config'], {}, dir);
      assert.equal(check.kind, 'check');
      const summary = (check as { summary: string }).summary;
      assert.match(summary, new RegExp(`integrity +chain on, key ${config.integrity.key_id}`));
      assert.ok(!summary.includes(KEY));
    });
  });

  void it('takes the key from WIRETY_SHIP_INTEGRITY_KEY, never printed', async () => {
    const config = await run(LOKI, { WIRETY_SHIP_INTEGRITY_KEY: KEY });
    assert.equal(config.integrity.key_id, keyId(Buffer.from(KEY, 'hex')));
    const check = await load([...LOKI, '--check-config'], { WIRETY_SHIP_INTEGRITY_KEY: KEY });
    assert.ok(!(check as { summary: string }).summary.includes(KEY));
  });

  void it('refuses the key as a flag, pointing at the variable and the file flag', async () => {
    const error = await fails([...LOKI, '--integrity-key', KEY]);
    assert.match(error.message, /WIRETY_SHIP_INTEGRITY_KEY/);
    assert.match(error.message, /--integrity-key-file/);
    assert.ok(!error.message.includes(KEY));
  });

  void it('a bad key file is a config error naming the file, never its content', async () => {
    await withFile('', async (dir) => {
      const secret = 'correct horse battery staple, a passphrase typed by hand';
      await writeFile(join(dir, 'key'), secret);
      const error = await fails([...LOKI, '--integrity-key-file', 'key'], {}, dir);
      assert.match(error.message, /integrity\.key_file/);
      assert.match(error.message, /key"?: an integrity key is hex text/);
      assert.ok(!error.message.includes('horse'));
      const short = 'abcdef0123';
      await writeFile(join(dir, 'key'), short);
      const tooShort = await fails([...LOKI, '--integrity-key-file', 'key'], {}, dir);
      assert.match(tooShort.message, /at least 32 bytes/);
      assert.ok(!tooShort.message.includes(short));
      const missing = await fails([...LOKI, '--integrity-key-file', 'nope'], {}, dir);
      assert.match(missing.message, /cannot read the integrity key file ".*nope": ENOENT/);
    });
  });

  void it('a bad variable is a config error that does not echo it', async () => {
    const secret = 'not-hex-but-secret-words';
    const error = await fails(LOKI, { WIRETY_SHIP_INTEGRITY_KEY: secret });
    assert.match(error.message, /WIRETY_SHIP_INTEGRITY_KEY/);
    assert.ok(!error.message.includes(secret));
  });

  void it('refuses buffer.type memory, saying why; a key makes disk the default even for stdout', async () => {
    const error = await fails([...LOKI, '--buffer', 'memory'], { WIRETY_SHIP_INTEGRITY_KEY: KEY });
    assert.match(error.message, /integrity needs the disk journal/);
    const stdoutOnly = await run(['--stdout'], { WIRETY_SHIP_INTEGRITY_KEY: KEY });
    assert.equal(stdoutOnly.buffer.type, 'disk');
  });

  void it('refuses a Loki sink without structured metadata, where the chain values travel', async () => {
    const error = await failsFile(
      'sinks:\n  audit:\n    type: loki\n    url: http://127.0.0.1:3100\n    structured_metadata: false\n',
      { WIRETY_SHIP_INTEGRITY_KEY: KEY },
    );
    assert.match(error.message, /sinks\.audit\.structured_metadata/);
    assert.match(error.message, /integrity is on/);
    // The same sink without a key is fine.
    await withFile(
      'sinks:\n  audit:\n    type: loki\n    url: http://127.0.0.1:3100\n    structured_metadata: false\n',
      (dir) => run(['--config', 'ship.yaml'], {}, dir),
    );
  });
});
