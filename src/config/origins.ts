/**
 * Answers "where did this key come from?" for error messages: a file line (from the YAML node
 * ranges), a flag, or an environment variable. Flags and variables are recorded as they are
 * applied; anything else is looked up in the parsed document, falling back to the closest
 * enclosing key, so even a missing key points at the block that lacks it.
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

export interface Origins {
  /** Marks `path` and everything under it as set by a flag or an environment variable. */
  record(path: Path, where: Where): void;
  where(path: Path): Where;
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
  const fallback: Where = file
    ? { text: file.name, file: file.name }
    : { text: 'command line and environment' };
  return {
    record: (path, where) => {
      recorded.set(keyOf(path), where);
    },
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
}
