/**
 * ${VAR} and ${VAR:-default} in the config file's string values.
 *
 * Guarantees: substitution runs on values after YAML parsing, so a variable's content is always one
 * string and can never add keys or structure; keys are never substituted; substituted text is not
 * scanned again (a value containing "${X}" stays literal); `$${` is a literal `${`. An unset
 * variable without a default is a problem naming the variable and the key, never the value.
 */
import { setOwn, type Path } from './tree.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  readonly path: Path;
  readonly message: string;
  readonly hint?: string;
}

export interface Interpolated {
  readonly value: unknown;
  /** Every variable referenced, set or not: they are the user's own, never "unknown settings". */
  readonly variables: ReadonlySet<string>;
  readonly problems: readonly InterpolationProblem[];
}

const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

type StringResult = { value: string } | { problem: Omit<InterpolationProblem, 'path'> };

export function interpolateString(text: string, env: Env, variables?: Set<string>): StringResult {
  let problem: Omit<InterpolationProblem, 'path'> | undefined;
  const value = text.replace(TOKEN, (token, body: string | undefined) => {
    if (token === '$${') return '${';
    if (body === undefined) {
      problem ??= { message: 'has "${" without a closing "}"', hint: 'write $${ for a literal "${"' };
      return token;
    }
    const match = BODY.exec(body);
    if (!match) {
      // The body is not echoed: it may hold a default that is a secret.
      problem ??= {
        message: 'has an invalid ${…} expression',
        hint: 'write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal "${"',
      };
      return token;
    }
    const [, name = '', fallback] = match;
    variables?.add(name);
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      problem ??= {
        message: `environment variable ${name} is not set`,
        hint: `set ${name}, or give a default with \${${name}:-default}`,
      };
      return token;
    }
    return set;
  });
  return problem ? { problem } : { value };
}

/** Substitutes in every string value of a parsed YAML tree (plain objects and arrays). */
export function interpolateTree(tree: unknown, env: Env): Interpolated {
  const variables = new Set<string>();
  const problems: InterpolationProblem[] = [];
  const walk = (node: unknown, path: Path): unknown => {
    if (typeof node === 'string') {
      const result = interpolateString(node, env, variables);
      if ('problem' in result) {
        problems.push({ path, ...result.problem });
        return node;
      }
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) setOwn(out, key, walk(value, [...path, key]));
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), variables, problems };
}
