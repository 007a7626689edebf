/**
 * Turns ajv's first validation error into the `path` + `detail` an operator reads in the
 * dead-letter file: the path names the offending field even when it is missing ("/peer_id",
 * where ajv reports the parent ""), and the detail says what was expected and what was found.
 * Only runs for invalid lines, so clarity wins over speed here.
 */
import type { ErrorObject } from 'ajv';

export interface FieldProblem {
  readonly path: string;
  readonly detail: string;
}

const MAX_SHOWN = 60;

/** "string \"1748000000\"", "number 1.5", "null", "object": enough to see what went wrong. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string': {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case 'number':
      return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
    case 'boolean':
      return `boolean ${value}`;
    case 'undefined':
      return 'nothing';
    default:
      return typeof value;
  }
}

/** Follows a JSON pointer from ajv (only "/field" for audit lines, but nesting costs nothing). */
function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let current: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    if (typeof current !== 'object' || current === null) return undefined;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function describeValidationError(error: ErrorObject | undefined, event: unknown): FieldProblem {
  if (!error) return { path: '', detail: 'does not match the audit event schema' };
  const path = error.instancePath;
  const got = describeValue(valueAt(event, path));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${path}/${escapePointer(String(params.missingProperty))}`,
        detail: 'required field is missing',
      };
    case 'type':
      return { path, detail: `must be ${String(params.type)}, got ${got}` };
    case 'const':
      return { path, detail: `must be ${JSON.stringify(params.allowedValue)}, got ${got}` };
    case 'minimum':
      return { path, detail: `must be >= ${String(params.limit)}, got ${got}` };
    case 'maximum':
      return {
        path,
        detail:
          path === '/time'
            ? `must be Unix seconds <= ${String(params.limit)}, got ${got} (milliseconds?)`
            : `must be <= ${String(params.limit)}, got ${got}`,
      };
    case 'not':
      // The only `not` in the schema: a server-shaped event may not claim actor_type "agent".
      return { path, detail: `must not be ${got} in a server event` };
    default:
      return { path, detail: `${error.message ?? 'is invalid'} (schema ${error.schemaPath})` };
  }
}
