/**
 * `npm run build` (after tsc): writes the audit-event and config validators as ajv standalone code
 * into dist/, beside the modules that load them (src/audit/precompiled.ts says when they are used):
 *   dist/audit/schema.compiled.cjs        one validator per audit definition the classifier uses
 *   dist/config/file-schema.compiled.cjs  fileSchema with every sink and input kind registered
 * Same ajv options as at run time, plus `code.source`, so the verdicts and error objects are the
 * same (test/audit/precompiled-validators.test.ts). CommonJS, so a start loads them synchronously.
 *
 * Script: node --import tsx scripts/precompile-validators.ts [OUT_DIR]   (default: dist)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import standalone from 'ajv/dist/standalone/index.js';
import {
  auditDefinitionNames,
  auditFingerprint,
  compileAuditSchema,
  defaultSchemaPath,
  readAuditSchema,
} from '../src/audit/schema.js';
// In the CLI's order (src/cli.ts): the order of registration shapes fileSchema, hence its fingerprint.
import { compileConfigSchema, configFingerprint } from '../src/config/validate.js';
import '../src/sinks/config-kinds.js';
import '../src/sources/config-kinds.js';

// CommonJS seen from ESM: the function is the module itself (its types say `default`).
const standaloneCode = standalone as unknown as typeof standalone.default;
const AS_CODE = { code: { source: true } } as const;

const withFingerprint = (code: string, fingerprint: string) =>
  `${code}\nmodule.exports.fingerprint = ${JSON.stringify(fingerprint)};\n`;

/** The two modules' text, by path relative to the output directory. */
export function compiledModules(): Record<string, string> {
  const schema = readAuditSchema(defaultSchemaPath);
  const audit = compileAuditSchema(schema, defaultSchemaPath, AS_CODE);
  const refs = Object.fromEntries(auditDefinitionNames().map((name) => [name, audit.ref(name)]));
  const config = compileConfigSchema(AS_CODE);
  return {
    'audit/schema.compiled.cjs': withFingerprint(standaloneCode(audit.ajv, refs), auditFingerprint(schema)),
    'config/file-schema.compiled.cjs': withFingerprint(
      standaloneCode(config.ajv, config.refs),
      configFingerprint(),
    ),
  };
}

export async function writeCompiledModules(outDir: string): Promise<void> {
  for (const [name, code] of Object.entries(compiledModules())) {
    const file = path.join(outDir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, code);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  await writeCompiledModules(path.resolve(root, process.argv[2] ?? 'dist'));
}
