/**
 * The README's Quick start is two commands: one installs and runs the main job on the embedded
 * default, one installs and passes the tests. Running the first does not compile anything: the
 * build happens once, on install (`prepare`), and `npx wirety-ship` starts the built bin.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

function quickStartCommands(): string[] {
  const section = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has no "## Quick start" section');
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  assert.equal(blocks.length, 1, 'the Quick start has one shell block');
  return (blocks[0] as string)
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

test('the Quick start is two commands: install and run, install and test', () => {
  const commands = quickStartCommands();
  assert.equal(commands.length, 2, commands.join('\n'));
  const [run, check] = commands as [string, string];
  assert.match(run, /^npm ci && npx wirety-ship < examples\/wirety-server\.log$/);
  assert.ok(existsSync(path.join(root, 'examples', 'wirety-server.log')));
  assert.match(check, /^npm ci && npm test$/);
});

test('running it does not recompile: install builds once, npx starts the built bin', () => {
  const [run] = quickStartCommands() as [string];
  assert.doesNotMatch(run, /npm start|npm run|tsc|tsx/);
  assert.match(pkg.scripts.prepare ?? '', /build/, 'npm ci builds through "prepare"');
  assert.equal(pkg.bin['wirety-ship'], 'dist/cli.js');
});
