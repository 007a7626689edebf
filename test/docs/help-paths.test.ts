/**
 * `--help` points only to documentation an installed package has: every path it names is shipped
 * by package.json "files" (npm always adds package.json and README.md) and exists in the repository.
 * The Docker image copies the same paths (Dockerfile).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../../src/config/flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };

const help = (): string => {
  const parsed = parseArgs(['--help'], '0.0.0');
  assert.equal(parsed.kind, 'help');
  return parsed.text;
};

/** Repository paths named in a text: README.md, or something under a top-level folder. */
function namedPaths(text: string): string[] {
  const found = text.match(
    /(?<![\w/.-])(?:README\.md|(?:docs|config|dist|src|examples|test)\/[\w./-]*\w)(?![\w-])/g,
  );
  return [...new Set(found ?? [])];
}

const shipped = (file: string) =>
  ['package.json', 'README.md', ...pkg.files].some((entry) => file === entry || file.startsWith(`${entry}/`));

test('--help names only documentation that a packaged install ships', () => {
  const text = help();
  const paths = namedPaths(text);
  assert.ok(paths.includes('docs/config.md'), `no docs/config.md in:\n${text}`);
  assert.ok(paths.includes('README.md'));
  for (const file of paths) {
    assert.ok(shipped(file), `--help names ${file}, which package.json "files" does not ship`);
    assert.ok(existsSync(path.join(root, file)), `--help names ${file}, which does not exist`);
  }
});

test('--help says where the package, and so its docs, is installed', () => {
  const text = help();
  const where = /shipped with the package \(in (.+)\)/.exec(text)?.[1];
  assert.equal(where, root);
  assert.ok(existsSync(path.join(where, 'docs', 'config.md')));
});

test('the Docker image has what --help names', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const copied = [...runtime.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
    (m[1] as string).split(/\s+/),
  );
  for (const file of namedPaths(help())) {
    const top = file.split('/')[0] as string;
    assert.ok(copied.includes(top) || copied.includes(file), `the image does not copy ${file}`);
  }
});

test('the path finder sees paths in prose and ignores URLs and other words', () => {
  assert.deepEqual(namedPaths('see docs/config.md, README.md and http://x/docs/a.md'), [
    'docs/config.md',
    'README.md',
  ]);
  assert.deepEqual(namedPaths('README.mdx, mydocs/a.md'), []);
});
