/**
 * The "where each setting comes from" part of --check-config: every key set by the file, a
 * WIRETY_SHIP_* variable or a flag, with its value and its history ("ship.yaml:3, overridden by
 * environment variable WIRETY_SHIP_DATA_DIR"), so a variable that beats a mounted file is never
 * silent. Keys not listed have their built-in default; the two default
 * paths that depend on the machine (journal and dead-letter file) say what they were derived from.
 *
 * Secrets (by key name, as redact.ts knows them) and header values are shown as "[redacted]".
 */
import { REDACTED, isSecretKey } from './redact.js';
import type { Origins } from './origins.js';
import { formatKey, isTree, type Path, type Tree } from './tree.js';
import type { Config } from './types.js';

/** How the default journal and dead-letter paths were chosen (see defaults.ts). */
export interface DefaultPaths {
  readonly dataDir: boolean;
  readonly deadLetter: boolean;
  readonly why: string;
}

function show(value: unknown, secret: boolean): string {
  if (secret) return REDACTED;
  if (Array.isArray(value)) return `[${value.map((v) => String(v)).join(', ')}]`;
  return String(value);
}

function leaves(node: unknown, path: Path, out: [Path, unknown][]): void {
  if (isTree(node)) for (const [key, inner] of Object.entries(node)) leaves(inner, [...path, key], out);
  else out.push([path, node]);
}

export function describeOrigins(
  tree: Tree,
  origins: Origins,
  config: Config,
  defaults: DefaultPaths,
): string {
  const found: [Path, unknown][] = [];
  leaves(tree, [], found);
  const rows = found.map(([path, value]): [string, string, string] => {
    const secret = path.some((part) => isSecretKey(String(part))) || path.includes('headers');
    // Oldest first: "ship.yaml:3, overridden by environment variable WIRETY_SHIP_DATA_DIR".
    const shadowed = origins.shadowed(path);
    const history = shadowed.map((s, i) => {
      const next = shadowed[i + 1]?.where ?? origins.where(path);
      return `, ${s.how === 'overrides' ? 'overridden by' : 'extended by'} ${next.text}`;
    });
    const first = shadowed[0]?.where ?? origins.where(path);
    return [formatKey(path), show(value, secret), first.text + history.join('')];
  });
  if (defaults.dataDir && config.buffer.type === 'disk')
    rows.push(['buffer.data_dir', config.buffer.data_dir, `default (${defaults.why})`]);
  if (defaults.deadLetter)
    rows.push(['dead_letter.path', config.dead_letter.path, `default (${defaults.why})`]);
  const keyWidth = Math.max(0, ...rows.map(([key]) => key.length));
  const valueWidth = Math.min(40, Math.max(0, ...rows.map(([, value]) => value.length)));
  const lines = rows.map(([key, value, where]) =>
    `  ${key.padEnd(keyWidth)}  ${value.padEnd(valueWidth)}  ${where}`.trimEnd(),
  );
  return [
    'where each setting comes from (any key not listed has its built-in default: docs/config.md)',
    ...(lines.length > 0 ? lines : ['  (nothing set: every value is a built-in default)']),
  ].join('\n');
}
