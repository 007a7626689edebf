/**
 * Turns validated raw values into Config values: durations to ms, sizes to bytes, relative paths
 * to absolute ones (from the working directory, like every other CLI argument), with the default
 * when unset. A bad value becomes a problem at its key; the default stands in so checking goes on
 * and every problem is reported in one run.
 */
import { isAbsolute, resolve } from 'node:path';
import type { ProblemList } from './config-error.js';
import type { Origins } from './origins.js';
import { formatKey, type Path } from './tree.js';
import { formatDuration, formatSize, parseDuration, parseSize, type Parsed } from './units.js';

export interface Resolver {
  readonly duration: (path: Path, raw: unknown, fallback: number, min?: number) => number;
  readonly size: (path: Path, raw: unknown, fallback: number, min?: number) => number;
  readonly file: (raw: string) => string;
  readonly optionalFile: (raw: string | undefined) => string | undefined;
  readonly problem: (path: Path, message: string, hint?: string) => void;
}

/** The first layer that sets `key` (sink block, then `defaults:`), with the path it came from. */
export function layered(layers: readonly (readonly [Path, unknown])[], key: Path): [Path, unknown] {
  for (const [base, block] of layers) {
    let node = block;
    for (const part of key)
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (node !== undefined) return [[...base, ...key], node];
  }
  return [[], undefined];
}

export function createResolver(cwd: string, origins: Origins, problems: ProblemList): Resolver {
  const problem = (path: Path, message: string, hint?: string) =>
    problems.add({ key: formatKey(path), message, where: origins.where(path), ...(hint ? { hint } : {}) });
  const unit =
    (parse: (raw: unknown) => Parsed, format: (n: number) => string, plain?: string) =>
    (path: Path, raw: unknown, fallback: number, min = 0): number => {
      if (raw === undefined) return fallback;
      const parsed = parse(raw);
      if (!parsed.ok) {
        problem(path, parsed.reason);
        return fallback;
      }
      if (parsed.value < min) {
        const numeric = typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw.trim()));
        problem(path, `must be at least ${format(min)}`, numeric && plain !== undefined ? plain : undefined);
        return fallback;
      }
      return parsed.value;
    };
  const file = (raw: string) => (isAbsolute(raw) ? raw : resolve(cwd, raw));
  return {
    duration: unit(parseDuration, formatDuration),
    size: unit(parseSize, formatSize, 'a plain number means bytes: write e.g. "1MiB"'),
    file,
    optionalFile: (raw) => (raw === undefined ? undefined : file(raw)),
    problem,
  };
}
