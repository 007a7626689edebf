/**
 * Loads the published audit-event JSON Schema (draft-07) once at startup and compiles one small
 * validator per catalogue action, plus one per source for actions the catalogue does not know.
 * Per-action validators keep the hot path to a Map lookup and a ~50 ns check, where the schema's
 * top-level if/then dispatch would test every action in turn.
 *
 * A schema that cannot be read, is not valid JSON Schema, or lacks a definition the catalogue
 * needs is a configuration error: it throws, naming the file, before any line is read.
 *
 * `npm run build` compiles the published schema to code (schema.compiled.cjs beside this file,
 * see precompiled.ts): a start then reads and fingerprints the schema but compiles nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { CATALOGUE } from './catalogue.js';
import { fingerprint, loadCompiled, newAjv } from './precompiled.js';
import type { EventSource } from './record.js';

/**
 * Two levels up reaches the package root both from src/audit/ (tsx) and from dist/audit/ (tsc
 * with rootDir src), and package.json ships config/ next to dist/.
 */
export const defaultSchemaPath: string = fileURLToPath(
  new URL('../../config/audit-event.schema.json', import.meta.url),
);

export interface ActionValidator {
  readonly source: EventSource;
  readonly validate: ValidateFunction;
}

export interface AuditValidators {
  /** Keyed by action name: every catalogue action. */
  readonly byAction: ReadonlyMap<string, ActionValidator>;
  /** Common fields + server actor fields: for actions outside the catalogue. */
  readonly server: ValidateFunction;
  /** Common fields + agent actor fields: for actions outside the catalogue. */
  readonly agent: ValidateFunction;
}

export function readAuditSchema(schemaPath: string = defaultSchemaPath): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(schemaPath, 'utf8');
  } catch (err) {
    throw new Error(`audit event schema ${schemaPath}: cannot read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (err) {
    throw new Error(`audit event schema ${schemaPath}: not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`audit event schema ${schemaPath}: must be a JSON object`);
  }
  return schema as Record<string, unknown>;
}

/** The options the validators are compiled with, at run time and at build time alike. */
export const AUDIT_AJV_OPTIONS: Options = { strict: true, allErrors: false };
const COMPILED_MODULE = './schema.compiled.cjs';

/** The definitions a classifier uses: one per catalogue action, then the two catch-alls. */
export const auditDefinitionNames = (): string[] => [
  ...CATALOGUE.map((spec) => spec.action),
  'server-event',
  'agent-event',
];

const withId = (schema: Record<string, unknown>) => ({
  ...schema,
  $id: typeof schema.$id === 'string' ? schema.$id : 'audit-event.schema.json',
});

/** What a compiled module must match to stand in for compiling `schema` (precompiled.ts). */
export const auditFingerprint = (schema: Record<string, unknown>): string =>
  fingerprint(AUDIT_AJV_OPTIONS, withId(schema), auditDefinitionNames());

/**
 * An ajv holding the schema, and its validator per definition name. The build passes
 * `{ code: { source: true } }` to write them as code (scripts/precompile-validators.ts).
 */
export function compileAuditSchema(
  schema: Record<string, unknown>,
  schemaPath: string,
  extra: Options = {},
): {
  readonly ajv: Ajv;
  readonly ref: (name: string) => string;
  readonly definition: (name: string) => ValidateFunction;
} {
  const full = withId(schema);
  const id = full.$id;
  const ajv = newAjv({ ...AUDIT_AJV_OPTIONS, ...extra });
  try {
    ajv.addSchema(full);
  } catch (err) {
    throw new Error(`audit event schema ${schemaPath}: ${(err as Error).message}`, { cause: err });
  }
  const ref = (name: string) => `${id}#/definitions/${name}`;
  const definition = (name: string): ValidateFunction => {
    let validate: ValidateFunction | undefined;
    try {
      validate = ajv.getSchema(ref(name));
    } catch (err) {
      throw new Error(`audit event schema ${schemaPath}: definition "${name}": ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (!validate) throw new Error(`audit event schema ${schemaPath}: no definition "${name}"`);
    return validate;
  };
  return { ajv, ref, definition };
}

export function loadAuditValidators(schemaPath: string = defaultSchemaPath): AuditValidators {
  const schema = readAuditSchema(schemaPath);
  const compiled = loadCompiled(import.meta.url, COMPILED_MODULE, auditFingerprint(schema));
  const definition = compiled
    ? (name: string) => compiled[name] as ValidateFunction
    : compileAuditSchema(schema, schemaPath).definition;
  const byAction = new Map<string, ActionValidator>();
  for (const spec of CATALOGUE) {
    byAction.set(spec.action, { source: spec.source, validate: definition(spec.action) });
  }
  return { byAction, server: definition('server-event'), agent: definition('agent-event') };
}
