/**
 * A bench script that must run as plain JavaScript: the floor (bench/floor.ts) is timed and its
 * memory read, and tsx's loader would add its own start-up time and heap to both. The script
 * imports only node: modules, so removing its types (TypeScript's transpileModule) is enough.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';

/**
 * Writes <name>.mjs from bench/<name>.ts in a temporary directory (outside the project, where
 * `eslint .` would find it); `remove()` deletes it.
 */
export function plainScript(root: string, name: string): { path: string; remove(): void } {
  const source = readFileSync(path.join(root, 'bench', `${name}.ts`), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-bench-script-'));
  const out = path.join(dir, `${name}.mjs`);
  writeFileSync(out, js);
  return { path: out, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
