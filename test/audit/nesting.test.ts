// input.max_depth: an audit line nested deeper than the bound is refused at classify time (too_deep)
// before it can reach the journal and every sink's encoder; measuring it never recurses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from '../../src/audit/classify.js';
import { DEFAULT_MAX_DEPTH } from '../../src/audit/nesting.js';
import { nestedArrays, serverLine } from '../helpers/records.js';

const classify = createClassifier();

/** serverLine with `field` set to raw JSON text (spliced, so any depth can be written). */
function withRaw(field: string, json: string, base = serverLine): string {
  return `${base.slice(0, -1)},${JSON.stringify(field)}:${json}}`;
}
const arrays = nestedArrays;

const AUTH_LOGIN =
  '{"level":"info","log_type":"audit","time":1748000000,"actor_id":"alice","actor_email":"alice@example.com","remote_ip":"10.0.0.5","action":"auth.login","message":"audit"}';

void describe('classify: nesting depth (input.max_depth)', () => {
  void it('the issue’s line (auth.login, peer_id nested 10,000 deep) is invalid: too_deep, naming the field', () => {
    const result = classify(withRaw('peer_id', arrays(10_000), AUTH_LOGIN));
    assert.deepEqual(result, {
      verdict: 'invalid',
      reason: 'too_deep',
      path: '/peer_id',
      detail: `nests objects/arrays more than ${DEFAULT_MAX_DEPTH} levels deep (input.max_depth); audit events are flat`,
      action: 'auth.login',
    });
  });

  void it('the default bound is 64 levels, the event object being level 1', () => {
    assert.equal(DEFAULT_MAX_DEPTH, 64);
    assert.equal(classify(withRaw('extra', arrays(63))).verdict, 'valid');
    const refused = classify(withRaw('extra', arrays(64)));
    assert.equal(refused.verdict, 'invalid');
    assert.equal(refused.verdict === 'invalid' && refused.reason, 'too_deep');
  });

  void it('objects count like arrays, and the deepest branch decides', () => {
    const objects = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const strict = createClassifier(undefined, { maxDepth: 3 });
    assert.equal(strict(withRaw('x', objects(2))).verdict, 'valid');
    assert.equal(strict(withRaw('x', `[1,{"b":2},[3]]`)).verdict, 'valid');
    const deep = strict(withRaw('x', `[1,[2],[{"b":3}]]`));
    assert.equal(deep.verdict === 'invalid' && deep.reason, 'too_deep');
    assert.equal(deep.verdict === 'invalid' && deep.path, '/x');
  });

  void it('measures a 200,000-level line without growing the stack', () => {
    const result = classify(withRaw('peer_id', arrays(200_000)));
    assert.equal(result.verdict === 'invalid' && result.reason, 'too_deep');
  });

  void it('flat lines are untouched, brackets inside strings included', () => {
    assert.equal(classify(serverLine).verdict, 'valid');
    const bracketed = JSON.parse(serverLine) as Record<string, unknown>;
    bracketed.peer_name = '[[[[{{{{';
    assert.equal(classify(JSON.stringify(bracketed)).verdict, 'valid');
  });

  void it('only audit lines are measured: a deep non-audit line is not_audit', () => {
    assert.equal(classify(`{"log_type":"app","x":${arrays(10_000)}}`).verdict, 'not_audit');
    assert.equal(classify(arrays(10_000)).verdict, 'not_audit');
  });
});
