import { it } from 'node:test';
import assert from 'node:assert/strict';
import { cursorFileName, parseCursorFileName } from '../../src/journal/cursor-store.js';

void it('names cursor files safely for any sink name and reads the name back', () => {
  for (const name of ['loki', 'es_prod-2', '../etc/passwd', 'spl unk.hec', 'zoë', '%41']) {
    const file = cursorFileName(name);
    assert.match(file, /^cursor-[A-Za-z0-9_%-]+\.json$/);
    assert.equal(parseCursorFileName(file), name);
  }
  assert.equal(cursorFileName('loki'), 'cursor-loki.json');
  assert.equal(parseCursorFileName('segment-00000000000000000001.log'), undefined);
});
