/**
 * Renders docs/config.md: the hand-written prose of scripts/config.md.template with every key
 * table generated from the declarations (src/config/file-schema.ts, sink-shared.ts, each
 * src/sinks/<kind>/config.ts) and the flag table from src/config/settings.ts. A key documented
 * here cannot differ from the key the loader accepts; test/docs/config-docs.test.ts fails when the
 * checked-in docs/config.md is not what this renders (run `npm run docs:config`).
 */
import { readFile } from 'node:fs/promises';
import type { TObject, TSchema } from '@sinclair/typebox';
import '../src/sinks/config-kinds.js';
import '../src/sources/config-kinds.js';
import { block, declared, isBlock } from '../src/config/declare.js';
import { fileSchema } from '../src/config/file-schema.js';
import { inputKinds } from '../src/config/input-kinds.js';
import { INPUT_CREATORS, SETTINGS, SINK_TARGETS, type Setting } from '../src/config/settings.js';
import { sinkKind, sinkKinds } from '../src/config/sink-kinds.js';
import { httpCommon } from '../src/config/sink-shared.js';

export const TEMPLATE = new URL('config.md.template', import.meta.url);
export const OUTPUT = new URL('../docs/config.md', import.meta.url);

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\n/g, ' ');

function typeText(schema: TSchema): string {
  const d = declared(schema);
  if (d['x-type'] !== undefined) return d['x-type'];
  if (d.title === 'duration' || d.title === 'size') return d.title;
  if (d.enum !== undefined) return d.enum.map(code).join(' \\| ');
  if (d.type === 'boolean') return 'bool';
  if (d.type === 'integer') {
    if (d.maximum !== undefined) return `integer ${d.minimum ?? 0}–${d.maximum}`;
    return `integer ≥ ${d.minimum ?? 0}`;
  }
  if (d.type === 'array') return 'list';
  if (d.type === 'object') return 'map';
  return 'string';
}

function literal(value: unknown): string {
  if (Array.isArray(value)) return code(`[${value.map(String).join(', ')}]`);
  if (value !== null && typeof value === 'object')
    return code(
      `{${Object.entries(value)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ')}}`,
    );
  return code(String(value));
}

function defaultText(schema: TSchema): string {
  const d = declared(schema);
  if (d['x-default'] !== undefined) return d['x-default'];
  return d.default === undefined ? 'unset' : literal(d.default);
}

function rows(schema: TObject, prefix: string): string[] {
  return Object.entries(schema.properties).flatMap(([key, sub]) =>
    isBlock(sub)
      ? rows(sub, `${prefix}${key}.`)
      : [
          `| ${code(prefix + key)} | ${typeText(sub)} | ${defaultText(sub)} | ${cell(declared(sub).description ?? '')} |`,
        ],
  );
}

function table(schema: TObject, prefix: string): string {
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows(schema, prefix)].join('\n');
}

const top = () => {
  const { shutdown_timeout, log, metrics } = fileSchema.properties;
  return [
    '| key | type | default | meaning |',
    '|---|---|---|---|',
    ...rows(block({ shutdown_timeout }), ''),
    ...rows(log, 'log.'),
    ...rows(metrics, 'metrics.'),
  ].join('\n');
};

function typeDefaults(): string {
  return [
    '| sink type | `batch.max_events` | `batch.max_bytes` | `batch.max_wait` | `max_in_flight` |',
    '|---|---|---|---|---|',
    ...sinkKinds().map(
      ({ type, typeDefaults: t }) =>
        `| ${code(type)} | ${t.batch.max_events} | ${code(t.batch.max_bytes)} | ${code(t.batch.max_wait)} | ${t.max_in_flight} |`,
    ),
  ].join('\n');
}

function sinkTable(type: string): string {
  const kind = sinkKind(type);
  const url = { ...httpCommon.url, description: kind.urlDoc ?? declared(httpCommon.url).description };
  return table(block(kind.http ? { url, ...kind.own } : kind.own), '');
}

function inputTypes(): string {
  return [
    '| type | own keys |',
    '|---|---|',
    ...inputKinds().map((kind) => {
      const keys = Object.keys(kind.own).map(code).join(', ');
      return `| ${code(kind.type)} | ${keys || 'none'} |`;
    }),
  ].join('\n');
}

function flagCell(s: Setting): string {
  if (!s.flag) return '*(none: secret)*';
  const repeatable = s.kind === 'list' || s.kind === 'labels' ? ' (repeatable)' : '';
  return `${s.short ? `${code(`-${s.short}`)}, ` : ''}${code(`--${s.flag}${s.arg ? ` ${s.arg}` : ''}`)}${repeatable}`;
}

function setsCell(s: Setting): string {
  if (!s.path) return '';
  if (s.allHttp) return `${code(s.path.join('.'))} of every HTTP sink`;
  if (s.sink) {
    const target = SINK_TARGETS[s.sink];
    const key = ['sinks', s.sink, ...s.path].join('.');
    if (s.path.length === 0) return `adds the sink ${code(s.sink)} (type ${code(target.type)})`;
    return s.kind === 'list' || s.kind === 'labels' ? `adds to ${code(key)}` : code(key);
  }
  const input = s.input ?? s.allInputs;
  if (input) {
    const key = s.allInputs
      ? `${code(s.path.join('.'))} of every ${input} input`
      : code(['inputs', input, ...s.path].join('.'));
    if (s.input && s.path.join('.') === INPUT_CREATORS[s.input])
      return `${s.kind === 'list' ? 'adds to' : 'sets'} ${key}, creating the input ${code(input)} (type ${code(input)})`;
    return key;
  }
  return code(s.path.join('.'));
}

function flags(): string {
  return [
    '| flag | environment variable | sets | meaning |',
    '|---|---|---|---|',
    ...SETTINGS.map(
      (s) =>
        `| ${flagCell(s)} | ${s.env ? code(s.env) : '*(flag only)*'} | ${setsCell(s)} | ${cell(s.description).replace(/\|/g, '\\|')} |`,
    ),
    '| `-h`, `--help` / `-V`, `--version` | | | print and exit |',
  ].join('\n');
}

export async function renderConfigDocs(): Promise<string> {
  const template = await readFile(TEMPLATE, 'utf8');
  const parts: Record<string, () => string> = {
    'keys top': top,
    'keys defaults': () => table(fileSchema.properties.defaults, 'defaults.'),
    'sink type defaults': typeDefaults,
    'input types': inputTypes,
    flags,
  };
  for (const key of ['input', 'audit', 'dead_letter', 'buffer', 'integrity'] as const)
    parts[`keys ${key}`] = () => table(fileSchema.properties[key], `${key}.`);
  for (const kind of sinkKinds()) parts[`sink ${kind.type}`] = () => sinkTable(kind.type);
  for (const kind of inputKinds()) parts[`input ${kind.type}`] = () => table(block(kind.own), '');
  return template.replace(/^\{\{([a-z_ ]+)\}\}$/gm, (_, name: string) => {
    const render = parts[name];
    if (!render) throw new Error(`scripts/config.md.template: unknown part {{${name}}}`);
    return render();
  });
}
