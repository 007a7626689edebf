/**
 * Reading the Prometheus alert rules published in a Markdown file: every ```yaml block holding
 * `groups:` is parsed with the `yaml` package, and the metric names each PromQL expression uses
 * are picked out, so a test can check them against what /metrics really exports.
 */
import { parse } from 'yaml';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The rule groups of every ```yaml block with a top-level `groups` key. */
export function ruleGroupsIn(markdown: string): RuleGroup[] {
  const groups: RuleGroup[] = [];
  for (const block of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
    const doc = parse(block[1]!) as { groups?: RuleGroup[] } | null;
    if (doc && Array.isArray(doc.groups)) groups.push(...doc.groups);
  }
  return groups;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * Metric names in a PromQL expression: identifiers that are not inside label matchers, ranges,
 * strings or grouping clauses, not followed by "(" (functions, aggregations), and not keywords.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] !== undefined || KEYWORDS.has(m[1]!.toLowerCase())) continue;
    names.add(m[1]!);
  }
  return [...names];
}
