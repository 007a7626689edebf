/**
 * How deeply a parsed audit event nests objects and arrays. Wirety's audit events are flat (one
 * object of strings and numbers), so a value nested deeper than a small bound is corruption or an
 * attack. It must be stopped before it is journaled: JSON.parse reads any depth, but every sink
 * later serialises values with recursive code (JSON.stringify overflows the stack at a few
 * thousand levels), and a record that cannot be encoded would otherwise come back on every start.
 *
 * Invariants: never recurses (a 100,000-level value is measured without growing the stack); stops
 * as soon as the bound is passed; a flat line costs two native indexOf calls on the text.
 */

/** input.max_depth's default: far above any real event (wirety's are flat), far below a stack overflow. */
export const DEFAULT_MAX_DEPTH = 64;

export interface TooDeep {
  /** JSON pointer of the top-level field holding the deep value, e.g. "/peer_id". */
  readonly path: string;
}

/**
 * The top-level field whose value makes `event` nest more than `maxDepth` levels (the event object
 * itself is level 1, `{"a":[1]}` is 2), or undefined when it stays within the bound.
 * `line` is the event's text: without a `[` or a second `{` the event is flat, and nothing is walked.
 */
export function findTooDeep(
  line: string,
  event: Readonly<Record<string, unknown>>,
  maxDepth: number,
): TooDeep | undefined {
  if (line.indexOf('[') === -1 && line.indexOf('{', line.indexOf('{') + 1) === -1) return undefined;
  if (maxDepth < 1) return { path: '' };
  for (const key of Object.keys(event)) {
    const value = event[key];
    if (typeof value === 'object' && value !== null && nestsDeeperThan(value, maxDepth - 1)) {
      return { path: `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` };
    }
  }
  return undefined;
}

/** True when `root` (an object or array counting as level 1) nests more than `limit` levels. */
function nestsDeeperThan(root: object, limit: number): boolean {
  if (limit < 1) return true;
  // Depth-first with an explicit stack: each entry is a container and its level.
  const stack: [object, number][] = [[root, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [container, level] = top;
    const children: readonly unknown[] = Array.isArray(container)
      ? container
      : Object.values(container as Record<string, unknown>);
    for (const child of children) {
      if (typeof child !== 'object' || child === null) continue;
      if (level + 1 > limit) return true;
      stack.push([child, level + 1]);
    }
  }
  return false;
}
