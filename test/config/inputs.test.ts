import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failsFile, load, runFile, withFile } from './helpers.js';

describe('inputs:', () => {
  it('defaults to one stdin input named stdin', async () => {
    const config = await runFile('input: { max_depth: 8 }\n');
    assert.deepEqual(config.inputs, [{ name: 'stdin', type: 'stdin' }]);
  });

  it('takes named inputs, like sinks', async () => {
    const config = await runFile('inputs:\n  audit:\n    type: stdin\n');
    assert.deepEqual(config.inputs, [{ name: 'audit', type: 'stdin' }]);
  });

  it('names them in the --check-config summary', async () => {
    const command = await withFile('inputs:\n  audit:\n    type: stdin\n', (dir) =>
      load(['--config', 'ship.yaml', '--check-config'], {}, dir),
    );
    assert.equal(command.kind, 'check');
    assert.match((command as { summary: string }).summary, /^input {8}audit \(stdin\); /m);
  });

  it('refuses an unknown input type with the valid ones', async () => {
    const error = await failsFile('inputs:\n  audit:\n    type: stdn\n');
    assert.match(
      error.message,
      /ship\.yaml:3: inputs\.audit\.type: unknown input type "stdn"; did you mean "stdin"\?/,
    );
    assert.match(error.message, /valid types: stdin/);
  });

  it('refuses a key stdin does not have, a bad name and a second stdin input', async () => {
    const error = await failsFile(
      'inputs:\n  a:\n    type: stdin\n    path: /var/log/x\n  B!:\n    type: stdin\n  b:\n    type: stdin\n',
    );
    assert.match(error.message, /ship\.yaml:4: inputs\.a\.path: unknown key/);
    assert.match(error.message, /inputs\.B!: is not a valid input name/);
    assert.match(error.message, /inputs\.b: is a second stdin input \(after "a"\)/);
  });
});
