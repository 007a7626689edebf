/**
 * Answers "where did this key come from?" for error messages and --check-config: a file line (from
 * the YAML node ranges), a flag, or an environment variable. Flags and variables are recorded as
 * they are applied, together with what they replaced or added to, so a variable that beats the
 * file is never silent; anything else is looked up in the parsed document, falling back to the
 * closest enclosing key, so even a missing key points at the block that lacks it.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { Where } from './config-error.js';
import type { Path } from './tree.js';

export interface FileSource {
  /** The path as the user gave it: messages should show what they typed. */
  readonly name: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/** A value a flag or variable replaced (a single value) or added to (a list or a map). */
export interface Shadowed {
  readonly where: Where;
  readonly how: 'overrides' | 'adds to';
}

export interface Origins {
  /** Marks `path` and everything under it as set by a flag or an environment variable. */
  record(path: Path, where: Where): void;
  /** Notes, before `path` is set again, that its value so far (from `where(path)`) is replaced or added to. */
  shadow(path: Path, how: Shadowed['how']): void;
  where(path: Path): Where;
  /** What the current value of `path` replaced or added to, oldest first. */
  shadowed(path: Path): readonly Shadowed[];
}

const keyOf = (path: Path): string => path.join('\u0000');

/** 1-based line of the key (or list item) at `path` in the document, if it is there. */
function lineOf(file: FileSource, path: Path): number | undefined {
  let node: unknown = file.doc.contents;
  let offset: number | undefined;
  for (const part of path) {
    if (isAlias(node)) node = node.resolve(file.doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part),
      );
      if (!pair) return undefined;
      offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item: unknown = node.items[part];
      if (item === undefined) return undefined;
      offset = isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined;
      node = item;
    } else {
      return undefined;
    }
  }
  return offset === undefined ? undefined : file.lineCounter.linePos(offset).line;
}

export function createOrigins(file?: FileSource): Origins {
  const recorded = new Map<string, Where>();
  const shadows = new Map<string, Shadowed[]>();
  const fallback: Where = file
    ? { text: file.name, file: file.name }
    : { text: 'command line and environment' };
  const origins: Origins = {
    record: (path, where) => {
      recorded.set(keyOf(path), where);
    },
    shadow: (path, how) => {
      const list = shadows.get(keyOf(path)) ?? [];
      list.push({ where: origins.where(path), how });
      shadows.set(keyOf(path), list);
    },
    shadowed: (path) => shadows.get(keyOf(path)) ?? [],
    where: (path) => {
      for (let length = path.length; length > 0; length--) {
        const prefix = path.slice(0, length);
        const set = recorded.get(keyOf(prefix));
        if (set) return set;
        const line = file ? lineOf(file, prefix) : undefined;
        if (file && line !== undefined) return { text: `${file.name}:${line}`, file: file.name, line };
      }
      return fallback;
    },
  };
  return origins;
}
