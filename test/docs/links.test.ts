/**
 * The documentation stands on its own: every relative link in README.md, docs/*.md and the
 * READMEs under src/ points to a file inside the repository that exists (and, for a `#anchor`, to
 * a heading of that file), so a clone, a packaged install and a GitHub view all resolve them.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function readmesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return readmesUnder(full);
    return entry.name === 'README.md' ? [full] : [];
  });
}

const documents = [
  path.join(root, 'README.md'),
  ...readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(root, 'docs', name)),
  ...readmesUnder(path.join(root, 'src')),
];

/** Markdown text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

function links(text: string): string[] {
  const inline = [...prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] as string,
  );
  const references = [...prose(text).matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/gm)].map(
    (m) => m[1] as string,
  );
  return [...inline, ...references];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const slug = (match[1] as string)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return out;
}

const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

test('the documents checked include the README, every docs page and the source READMEs', () => {
  const names = documents.map((file) => path.relative(root, file));
  for (const name of ['README.md', 'docs/config.md', 'docs/receivers.md', 'docs/wirety-audit-logs.md'])
    assert.ok(names.includes(name), `${name} is missing`);
  assert.ok(names.includes(path.join('src', 'journal', 'README.md')));
});

test('no relative link leaves the repository, and each one names a file that exists', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const file of documents) {
    const text = readFileSync(file, 'utf8');
    const from = path.relative(root, file);
    for (const target of links(text)) {
      if (external(target)) continue;
      const [pathPart = '', anchor] = target.split('#');
      const resolved =
        pathPart === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(pathPart));
      const inRepo = path.relative(root, resolved);
      checked++;
      if (inRepo.startsWith('..') || path.isAbsolute(inRepo)) {
        problems.push(`${from}: ${target} leaves the repository`);
      } else if (!existsSync(resolved)) {
        problems.push(`${from}: ${target} does not exist`);
      } else if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchors(readFileSync(resolved, 'utf8')).has(anchor))
          problems.push(`${from}: ${target} names no heading of ${inRepo}`);
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} links found: is the link parser broken?`);
  assert.deepEqual(problems, []);
});

test('the link check itself catches a link out of the repository and a missing file', () => {
  assert.deepEqual(links('[spec](../shared/x.txt) and [cfg](docs/config.md#keys) `[no](code)`'), [
    '../shared/x.txt',
    'docs/config.md#keys',
  ]);
  assert.ok(anchors('## `defaults`: shared sink settings\n').has('defaults-shared-sink-settings'));
  assert.ok(anchors('### Known receiver set-ups\n').has('known-receiver-set-ups'));
});
