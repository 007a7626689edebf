/**
 * Reads and parses the YAML config file, keeping the document and a LineCounter so every later
 * problem can name a line. Syntax errors are reported with the file and line but never with the
 * source text around them: that line may hold a password.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { ConfigError, type Where } from './config-error.js';
import type { FileSource } from './origins.js';
import { isTree, type Tree } from './tree.js';

export interface LoadedFile {
  readonly tree: Tree;
  readonly source: FileSource;
}

/**
 * `name` is the path as the user gave it (shown in messages), `absolute` the path to open, and
 * `via` the flag or variable that named the file.
 */
export async function readConfigFile(name: string, absolute: string, via: Where): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : code;
    throw new ConfigError({
      message: `cannot read config file "${name}": ${why ?? 'unknown error'}`,
      where: via,
      hint: `check the path (resolved to ${absolute})`,
    });
  }
  return parseConfigText(name, text);
}

export function parseConfigText(name: string, text: string): LoadedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const source: FileSource = { name, doc, lineCounter };
  const at = (offset: number | undefined): Where => {
    if (offset === undefined) return { text: name, file: name };
    const { line } = lineCounter.linePos(offset);
    return { text: `${name}:${line}`, file: name, line };
  };
  // Only the first error: the rest are usually its echoes. Messages quote the offending source
  // text after ': "' (e.g. 'Unexpected scalar token in YAML stream: "hunter2"'), which may be a
  // secret, so that part is cut.
  const first = doc.errors[0];
  if (first) {
    const message = (first.message.split('\n')[0] ?? first.code).replace(/: ".*$/, '');
    throw new ConfigError({
      message: `YAML syntax error: ${message}`,
      where: at(first.pos[0]),
      hint: 'check indentation, quotes and ":"; inside { } or [ ], quote values that hold ${...}',
    });
  }
  if (doc.contents === null) return { tree: {}, source };
  if (!isMap(doc.contents)) {
    throw new ConfigError({
      message: 'the file must be a mapping of settings (e.g. "sinks:" at the start of a line)',
      where: at(doc.contents.range?.[0]),
    });
  }
  let tree: unknown;
  try {
    tree = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // yaml refuses alias "bombs" (aliases that expand exponentially) here.
    throw new ConfigError({ message: 'too many YAML aliases (*name) to expand', where: at(undefined) });
  }
  return { tree: isTree(tree) ? tree : {}, source };
}
