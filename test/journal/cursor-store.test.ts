import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCursorPersister,
  cursorFileName,
  loadCursors,
  parseCursorFileName,
} from '../../src/journal/disk/cursor-store.js';
import { nodeJournalFs } from '../../src/journal/disk/fs.js';
import { createMemoryLogger } from '../../src/observe/logger.js';
import { createFaultFs } from './fault-fs.js';

void it('names cursor files safely for any sink name and reads the name back', () => {
  for (const name of ['loki', 'es_prod-2', '../etc/passwd', 'spl unk.hec', 'zoë', '%41']) {
    const file = cursorFileName(name);
    assert.match(file, /^cursor-[A-Za-z0-9_%-]+\.json$/);
    assert.equal(parseCursorFileName(file), name);
  }
  assert.equal(cursorFileName('loki'), 'cursor-loki.json');
  assert.equal(parseCursorFileName('segment-00000000000000000001.log'), undefined);
});

void it('on a full disk, a cursor is overwritten in place: padded, never shorter, read back exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wirety-cursor-'));
  try {
    const fs = createFaultFs();
    const persister = createCursorPersister(fs, dir, 'loki', -1);
    await persister.persist(123_456, true);
    const path = join(dir, 'cursor-loki.json');
    const padded = Buffer.from('{"sink":"loki","committedSeq":123456}' + ' '.repeat(20) + '\n');
    writeFileSync(path, padded); // as an earlier in-place write of a longer value could leave it
    fs.fail('write', 'ENOSPC', { file: /\.tmp$/ });
    await persister.persist(123_457, true);
    assert.equal(persister.persisted, 123_457);
    const text = readFileSync(path, 'utf8');
    assert.equal(text.length, padded.length, 'same length: no truncate needed, no old tail left');
    const logger = createMemoryLogger();
    const loaded = await loadCursors(nodeJournalFs, dir, readdirSync(dir), logger);
    assert.deepEqual([...loaded], [['loki', 123_457]]);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.equal(fs.count('fsync', /^cursor-loki\.json$/), 1, 'the in-place write is fsynced when asked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
