/**
 * Small helpers over the raw settings tree (plain objects from YAML, env and flags) before it is
 * validated. Keys are set as own properties, so a key like "__proto__" is data, never a prototype.
 */

export type Path = readonly (string | number)[];
export type Tree = Record<string, unknown>;

export function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function setOwn(target: Tree, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function getOwn(target: Tree, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
}

/** "sinks.loki.label_fields[1]": the key path as the user writes it. */
export function formatKey(path: Path): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`),
    '',
  );
}

/** Parses an ajv instancePath ("/sinks/loki/label_fields/0") back into a Path over `root`. */
export function fromPointer(pointer: string, root: unknown): Path {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(part));
      node = node[Number(part)] as unknown;
    } else {
      path.push(part);
      node = isTree(node) ? getOwn(node, part) : undefined;
    }
  }
  return path;
}
