/**
 * The one error a bad configuration produces (stable code WS_ERR_CONFIG; the CLI exits 78).
 *
 * Every message names where the setting came from (file and line, "command line (--flag)" or
 * "environment variable WIRETY_SHIP_X"), the full key path, what is wrong and what to do. Callers
 * must never put a setting's value in a Problem unless the key is known not to be a secret.
 */

/** Where a setting came from. `text` is what the user reads; `file`/`line` are for tools. */
export interface Where {
  readonly text: string;
  readonly file?: string;
  readonly line?: number;
}

export interface Problem {
  /** Full key path as written in the file, e.g. "sinks.loki.tenant"; absent for file-level problems. */
  readonly key?: string;
  readonly message: string;
  readonly where: Where;
  readonly hint?: string;
}

export function formatProblem(problem: Problem): string {
  const head = problem.key ? `${problem.where.text}: ${problem.key}: ` : `${problem.where.text}: `;
  return head + problem.message + (problem.hint ? `\n  hint: ${problem.hint}` : '');
}

export class ConfigError extends Error {
  readonly code = 'WS_ERR_CONFIG';
  readonly key?: string;
  readonly file?: string;
  readonly line?: number;
  readonly hint?: string;
  /** Every problem found; the fields above describe the first one. */
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[]) {
    const list: readonly Problem[] = Array.isArray(problems) ? problems : [problems as Problem];
    const first = list[0];
    if (!first) throw new Error('ConfigError needs at least one problem');
    super(
      list.length === 1
        ? formatProblem(first)
        : `${list.length} problems:\n` +
            list.map((p) => '- ' + formatProblem(p).replace(/\n/g, '\n  ')).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = list;
    if (first.key !== undefined) this.key = first.key;
    if (first.where.file !== undefined) this.file = first.where.file;
    if (first.where.line !== undefined) this.line = first.where.line;
    if (first.hint !== undefined) this.hint = first.hint;
  }
}

/**
 * Collects problems so one run reports all of them. Checking goes on past a bad value (it is
 * dropped or replaced by its default), so later stages could echo it: `endStage` marks the keys
 * reported so far, and a later stage's problem at one of them, or under one, is dropped as an echo
 * ("sinks.loki.url: environment variable LOKI_URL is not set" is not followed by "sinks.loki.url:
 * is not a valid URL").
 */
export interface ProblemList {
  add(problem: Problem): void;
  readonly size: number;
  endStage(): void;
  /** Throws one ConfigError listing every problem, in file order, when there is any. */
  throwIfAny(): void;
}

const within = (key: string, settled: string) =>
  key === settled || key.startsWith(`${settled}.`) || key.startsWith(`${settled}[`);

export function createProblemList(): ProblemList {
  const problems: Problem[] = [];
  const settled = new Set<string>();
  return {
    add: (problem) => {
      const { key } = problem;
      if (key !== undefined && [...settled].some((s) => within(key, s))) return;
      const same = problems.some(
        (p) => p.key === problem.key && p.message === problem.message && p.where.text === problem.where.text,
      );
      if (!same) problems.push(problem);
    },
    get size() {
      return problems.length;
    },
    endStage: () => {
      for (const p of problems) if (p.key !== undefined) settled.add(p.key);
    },
    throwIfAny: () => {
      // In file order, so the list reads top to bottom like the file; the rest keep their order.
      const line = (p: Problem) => p.where.line ?? Number.MAX_SAFE_INTEGER;
      if (problems.length > 0) throw new ConfigError([...problems].sort((a, b) => line(a) - line(b)));
    },
  };
}
