/**
 * What the built CLI loads, recorded module by module (not timed: timings on a shared machine
 * prove nothing). --version loads no dependency at all, --help only the key declarations and
 * commander; a run compiles no schema (ajv itself never loads: `npm run build` wrote the
 * validators as code, scripts/precompile-validators.ts) and loads no input it was not given.
 * Needs `npm run build` (npm test runs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCommand } from '../../src/config/load.js';
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import { CLI } from '../helpers/run-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'wirety-light-start-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Preloaded into the child: appends the path of every module it loads to $LOADED_LOG, ES modules
 * from the loader hooks (their own thread) and CommonJS ones from the CJS loader, each written at
 * once so none is lost when the CLI exits.
 */
const HOOKS = path.join(dir, 'hooks.mjs');
writeFileSync(
  HOOKS,
  `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_LOG, url + '\\n');
  return next(url, context);
}
`,
);
const RECORDER = path.join(dir, 'record-loads.mjs');
writeFileSync(
  RECORDER,
  `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(HOOKS).href)});
const Module = createRequire(import.meta.url)('node:module');
for (const ext of Object.keys(Module._extensions)) {
  const load = Module._extensions[ext];
  Module._extensions[ext] = function (module, file) {
    appendFileSync(process.env.LOADED_LOG, 'file://' + file + '\\n');
    return load.call(this, module, file);
  };
}
`,
);

let runs = 0;
/** Runs dist/cli.js with `args` (stdin: `input`), returning its stdout and the files it loaded. */
async function loaded(args: string[], input = ''): Promise<{ stdout: string; files: string[] }> {
  const log = path.join(dir, `loaded-${runs++}.txt`);
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', pathToFileURL(RECORDER).href, CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', LOADED_LOG: log, HOME: dir }, timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
    );
    child.stdin?.end(input);
  });
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file://'))
    .map((url) => path.relative(root, fileURLToPath(url)));
  return { stdout, files };
}

const HEAVY = /^node_modules\/(ajv|yaml|undici|prom-client|@msgpack|tinyglobby|protobufjs)\//;

test('--version loads no dependency and no configuration code', async () => {
  const { stdout, files } = await loaded(['--version']);
  const expected = await loadCommand(['--version'], {});
  assert.equal(stdout, `${expected.kind === 'version' ? expected.text : ''}\n`);
  assert.deepEqual(
    files.filter((f) => f.startsWith('node_modules/')),
    [],
  );
  assert.deepEqual(files.sort(), [
    'dist/cli.js',
    'dist/clock.js',
    'dist/config/config-error.js',
    'dist/errors.js',
    'dist/version.js',
  ]);
});

test('--help loads the declarations and commander, not the YAML parser, ajv, a sink client or the pipeline', async () => {
  const { stdout, files } = await loaded(['--loki', 'http://loki:3100', '--help', '--version']);
  const expected = await loadCommand(['--help'], {});
  assert.equal(stdout, `${expected.kind === 'help' ? expected.text : ''}`.replace(/\n?$/, '\n'));
  assert.ok(
    files.includes('dist/config/flags.js') && files.some((f) => f.startsWith('node_modules/commander/')),
  );
  assert.deepEqual(
    files.filter((f) => HEAVY.test(f) || /^dist\/(pipeline|config\/load\.js)/.test(f)),
    [],
  );
});

test('a run and --check-config compile no schema (ajv never loads); a stdin run loads no other input', async () => {
  assert.ok(
    existsSync(path.join(root, 'dist/audit/schema.compiled.cjs')) &&
      existsSync(path.join(root, 'dist/config/file-schema.compiled.cjs')),
    'no compiled validators in dist/: run `npm run build`',
  );
  const check = await loaded(['--check-config', '--loki', 'http://loki:3100']);
  assert.match(check.stdout, /loki/);
  assert.ok(check.files.includes('dist/config/validate.js'));
  assert.deepEqual(
    check.files.filter((f) => f.startsWith('node_modules/ajv/')),
    [],
  );

  const line = readFileSync(path.join(root, 'examples/wirety-server.log'), 'utf8')
    .split('\n')
    .find((l) => l.includes('"log_type":"audit"'));
  const run = await loaded(['--buffer', 'memory', '--log-level', 'error'], `${line}\n`);
  assert.equal(run.stdout, `${line}\n`, 'the event went through the classifier to stdout');
  assert.ok(run.files.includes('dist/audit/schema.js'));
  assert.deepEqual(
    run.files.filter((f) => f.startsWith('node_modules/ajv/')),
    [],
  );
  // Inputs load their code when configured: stdin alone needs neither msgpack nor the globber.
  const otherInputs =
    /^(node_modules\/(@msgpack|tinyglobby)\/|dist\/sources\/(forward\/index|files\/file-input)\.js)/;
  assert.deepEqual(
    run.files.filter((f) => otherInputs.test(f)),
    [],
  );
});
