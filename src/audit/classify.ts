/**
 * The classifier: one input line in, exactly one verdict out. It runs on every line, so it is
 * built once (schema read and compiled at startup) and the per-line path is JSON.parse, a few
 * property reads, a Map lookup and one small compiled validator.
 *
 * Invariants:
 * - Exactly one verdict per line, and it never throws: whatever the input, the caller gets a
 *   value it can count and, for not_json / invalid, dead-letter with the reason.
 * - empty: the line is empty or only whitespace (counted on its own, never dead-lettered).
 * - not_json: the line does not parse.
 * - not_audit: valid JSON that is not an object, or whose log_type is not exactly "audit".
 *   These are wirety's ordinary log lines; they are counted, never shipped.
 * - invalid: log_type is "audit" but the line breaks the published schema
 *   (config/audit-event.schema.json), including a catalogue action arriving with the other
 *   source's shape. `path` names the field, `detail` says what was expected and found.
 *   An audit line that nests objects/arrays deeper than `maxDepth` is invalid with
 *   `reason: 'too_deep'`, checked before the schema: no sink could encode it (see nesting.ts).
 * - valid: everything else. An action outside the catalogue is valid if it has the common fields
 *   and a server or agent shape (knownAction: false), so a newer wirety is not dead-lettered.
 * - Source: actor_type "agent" means agent, anything else means server.
 */
import type { AuditEvent, EventSource } from './record.js';
import { describeValidationError, describeValue } from './describe-error.js';
import { DEFAULT_MAX_DEPTH, findTooDeep } from './nesting.js';
import { loadAuditValidators } from './schema.js';

export type Classification =
  | { verdict: 'empty' }
  | { verdict: 'not_json'; detail: string }
  | { verdict: 'not_audit' }
  | {
      verdict: 'invalid';
      path: string;
      detail: string;
      action?: string;
      /** Set when the line is refused for its nesting, not for the schema. */
      reason?: 'too_deep';
    }
  | { verdict: 'valid'; event: AuditEvent; source: EventSource; knownAction: boolean };

export type Classifier = (line: string) => Classification;

const NOT_AUDIT: Classification = Object.freeze({ verdict: 'not_audit' });
const EMPTY_LINE: Classification = Object.freeze({ verdict: 'empty' });

export interface ClassifierOptions {
  /** Deepest nesting of objects/arrays accepted, the event object being level 1 (input.max_depth). */
  readonly maxDepth?: number;
}

/**
 * @param schemaPath the audit event JSON Schema; defaults to the published
 *   config/audit-event.schema.json. Throws (naming the file) if it cannot be loaded.
 */
export function createClassifier(schemaPath?: string, options: ClassifierOptions = {}): Classifier {
  const validators = loadAuditValidators(schemaPath);
  const byAction = validators.byAction;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;

  return function classify(line: string): Classification {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      if (line.trim() === '') return EMPTY_LINE;
      return { verdict: 'not_json', detail: jsonErrorText(err) };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return NOT_AUDIT;
    const obj = parsed as Record<string, unknown>;
    if (obj.log_type !== 'audit') return NOT_AUDIT;

    const action = obj.action;
    const deep = findTooDeep(line, obj, maxDepth);
    if (deep) {
      const detail = `nests objects/arrays more than ${maxDepth} levels deep (input.max_depth); audit events are flat`;
      return typeof action === 'string'
        ? { verdict: 'invalid', reason: 'too_deep', path: deep.path, detail, action }
        : { verdict: 'invalid', reason: 'too_deep', path: deep.path, detail };
    }

    const source: EventSource = obj.actor_type === 'agent' ? 'agent' : 'server';
    const known = typeof action === 'string' ? byAction.get(action) : undefined;
    if (known !== undefined && known.source !== source) {
      return mismatch(action as string, known.source, obj.actor_type);
    }
    const validate =
      known !== undefined ? known.validate : source === 'agent' ? validators.agent : validators.server;
    if (!validate(obj)) {
      const { path, detail } = describeValidationError(validate.errors?.[0], obj);
      return typeof action === 'string'
        ? { verdict: 'invalid', path, detail, action }
        : { verdict: 'invalid', path, detail };
    }
    return { verdict: 'valid', event: obj as AuditEvent, source, knownAction: known !== undefined };
  };
}

/**
 * JSON.parse's message without the " (line 1 column 158)" newer V8 (Node 22+) appends: a line is
 * one line, "at position 157" already says where, and the dead-letter detail and `check`'s report
 * are then the same on every supported Node.
 */
function jsonErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/ \(line \d+ column \d+\)$/, '');
}

function mismatch(action: string, expected: EventSource, actorType: unknown): Classification {
  const detail =
    expected === 'agent'
      ? `"${action}" is an agent action: actor_type must be "agent", got ${
          actorType === undefined ? 'no actor_type (a server-shaped line)' : describeValue(actorType)
        }`
      : `"${action}" is a server action but the line has actor_type "agent" (an agent-shaped line)`;
  return { verdict: 'invalid', path: '/actor_type', detail, action };
}
