/**
 * Command-line parsing with commander, driven by the SETTINGS table.
 *
 * Guarantees: commander never prints or exits (exitOverride + captured output: help and version
 * come back as text); a flag's value never appears in an error, because someone may have typed a
 * secret into the wrong flag; secret flags (--loki-password, --splunk-token…) are refused with the
 * environment variable and *_file flag to use instead. Bad flags are returned as problems, not
 * thrown, so the loader reports them with every problem of the file and the environment.
 *
 * Environment variables are NOT read through commander's Option.env(): it reads the global
 * process.env (the loader takes `env` as a parameter) and turns a boolean option on whenever the
 * variable exists, so WIRETY_SHIP_PASSTHROUGH=false would mean true. overlay.ts applies them; the
 * help shows each flag's variable in commander's own "(env: …)" style.
 */
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { Problem, Where } from './config-error.js';
// For its effect too: the global keys' flags join SETTINGS when their declarations load.
import './file-schema.js';
import { SETTINGS, type Setting } from './settings.js';
import { suggest } from './suggest.js';

export type FlagValue = string | boolean | readonly string[];

export type ParsedArgs =
  | { readonly kind: 'help' | 'version'; readonly text: string }
  | {
      readonly kind: 'options';
      /** The flags that were understood; the others are in `problems`. */
      readonly values: ReadonlyMap<Setting, FlagValue>;
      readonly problems: readonly Problem[];
    };

// Read when parsing, not at import: each sink adds its rows as it registers (sink-kinds.ts).
const flagged = () => SETTINGS.filter((s) => s.flag !== undefined);
const secrets = () => SETTINGS.filter((s) => s.secret !== undefined);
/** Other spellings people reach for; each maps to the secret setting it means. */
const SECRET_ALIASES: Readonly<Record<string, string>> = {
  'elasticsearch-password': 'es-password',
  'elasticsearch-api-key': 'es-api-key',
  'splunk-hec-token': 'splunk-token',
  'splunk-password': 'splunk-token',
};
const GENERIC_SECRETS = new Set(['password', 'token', 'api-key', 'apikey', 'bearer-token', 'secret']);

const meant = (flag: string | undefined): string => (flag ? `; did you mean --${flag}?` : '');
const commandLine = (flag: string): Where => ({ text: `command line (${flag})` });

function refuseSecret(name: string): Problem | undefined {
  const refused = SECRET_ALIASES[name] ?? name;
  const setting = secrets().find((s) => s.secret?.refused === refused);
  const why =
    'secrets are not accepted as command-line values: other users of the machine can read them (ps, /proc)';
  if (setting?.secret) {
    return {
      message: why,
      where: commandLine(`--${name}`),
      hint: `set the environment variable ${setting.env}, or put it in a file and pass --${setting.secret.file} <file>`,
    };
  }
  if (!GENERIC_SECRETS.has(name)) return undefined;
  return {
    message: why,
    where: commandLine(`--${name}`),
    hint: `use one of ${secrets()
      .map((s) => s.env)
      .join(', ')}, or a *_file flag (see --help)`,
  };
}

/**
 * Checks flag names before commander sees them, so no message can echo a value. Every bad
 * argument becomes a problem and is left out, with the value it was given, so the rest of the
 * line (and the file and environment) are still checked in the same run.
 */
function prescan(argv: readonly string[], problems: Problem[]): string[] {
  const long = new Map(flagged().map((s) => [s.flag as string, s]));
  const known = [...long.keys(), 'help', 'version'];
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (arg.startsWith('--') && arg.length > 2) {
      const name = arg.slice(2).split('=')[0] as string;
      const refusal = refuseSecret(name);
      const setting = long.get(name);
      if (refusal) {
        problems.push(refusal);
        if (!arg.includes('=')) i++; // the secret itself, whatever it looks like, is never parsed
      } else if (!setting) {
        problems.push({
          message: `unknown flag --${name}${meant(suggest(name, known))}`,
          where: commandLine(`--${name}`),
          hint: 'run wirety-ship --help for the list of flags',
        });
        // wirety-ship takes no positional arguments, so a plain word after it was its value.
        if (!arg.includes('=') && next !== undefined && !next.startsWith('-')) i++;
      } else if (setting.arg !== undefined && !arg.includes('=') && next === undefined) {
        problems.push({
          message: `needs a value: --${name} ${setting.arg}`,
          where: commandLine(`--${name}`),
        });
      } else {
        kept.push(arg);
        if (setting.arg !== undefined && !arg.includes('=')) kept.push(argv[++i] as string);
      }
    } else if (/^-[^-]/.test(arg)) {
      const letter = arg.charAt(1);
      if (letter === 'c' && arg.length === 2 && next !== undefined) kept.push(arg, argv[++i] as string);
      else if (letter === 'c' && arg.length > 2) kept.push(arg);
      else if (letter === 'c')
        problems.push({ message: 'needs a value: -c <file>', where: commandLine('-c') });
      else if (['h', 'V'].includes(letter)) kept.push(arg);
      else {
        problems.push({
          message: `unknown flag -${letter}`,
          where: commandLine(`-${letter}`),
          hint: 'run wirety-ship --help',
        });
      }
    } else {
      const looksLikeFile = /\.ya?ml$/.test(arg);
      problems.push({
        message: `unexpected argument #${i + 1}: wirety-ship takes only flags`,
        where: { text: 'command line' },
        hint: looksLikeFile
          ? `to use "${arg}" as the config file, write --config ${arg}`
          : 'run wirety-ship --help',
      });
    }
  }
  return kept;
}

// The package root, from src/config (tsx) and dist/config (tsc) alike: where README.md and docs/
// are, in a clone and in an installed package ("files" in package.json ships both).
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

const helpAfter = () => `
Secrets come from the environment or from files, never from flags:
  ${secrets()
    .map((s) => s.env)
    .join('\n  ')}

Precedence: built-in defaults < config file < WIRETY_SHIP_* variables < flags
(--check-config lists where each value came from). Empty variables count as unset.
Without any sink, events go to stdout as NDJSON (buffered in memory: stdout is per run).
State directory (journal/ and dead-letter.ndjson): $XDG_STATE_HOME/wirety-ship if set,
else /var/lib/wirety-ship as root, else ~/.local/state/wirety-ship.
SIGTERM, SIGINT and SIGHUP stop gracefully.

Examples:
  AUDIT_LOG=true wirety-server | wirety-ship
  AUDIT_LOG=true wirety-server | wirety-ship --loki http://loki:3100 --loki-tenant acme
  WIRETY_SHIP_SPLUNK_TOKEN=… wirety-ship --splunk-hec https://splunk:8088 --splunk-ack
  WIRETY_SHIP_ES_API_KEY=… wirety-ship --elasticsearch https://es:9200 --stdout
  wirety-ship --config /etc/wirety-ship.yaml --check-config

Commands (each has its own --help):
  wirety-ship check [file …]    classify a captured wirety log offline: counts, every invalid line
  wirety-ship verify …          check what a sink holds against the integrity chain (docs/integrity.md)

Documentation, shipped with the package (in ${PACKAGE_ROOT}):
  README.md              what happens to every line, delivery guarantees, exit codes
  docs/config.md         every setting, its default and its variable
  docs/audit-events.md   the audit events accepted, field by field
  docs/integrity.md      the keyed chain, checkpoints and verify`;

function buildProgram(
  version: string,
  output: { text: string },
): { program: Command; options: Map<Setting, Option> } {
  const program = new Command('wirety-ship')
    .description(
      'Ship Wirety audit events (AUDIT_LOG=true JSON lines on stdin) to Loki, Elasticsearch and Splunk HEC.',
    )
    .usage('[options]')
    .allowExcessArguments(false)
    .exitOverride()
    .configureHelp({ helpWidth: 110, sortOptions: false })
    .configureOutput({
      writeOut: (text) => {
        output.text += text;
      },
      writeErr: () => {},
      outputError: () => {},
    })
    .addHelpText('after', helpAfter());
  const options = new Map<Setting, Option>();
  for (const setting of flagged()) {
    const flags = `${setting.short ? `-${setting.short}, ` : ''}--${setting.flag}${setting.arg ? ` ${setting.arg}` : ''}`;
    const list = setting.kind === 'list' || setting.kind === 'labels' ? ', comma-separated' : '';
    const option = new Option(
      flags,
      setting.description + (setting.env ? ` (env: ${setting.env}${list})` : ''),
    );
    if (setting.kind === 'list' || setting.kind === 'labels') {
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    }
    program.addOption(option);
    options.set(setting, option);
  }
  // Added last so they are listed last; parseArgs answers them before commander parses.
  program.version(`wirety-ship ${version}`, '-V, --version', 'print the version and exit');
  program.helpOption('-h, --help', 'show this help and exit');
  return { program, options };
}

export function parseArgs(argv: readonly string[], version: string): ParsedArgs {
  const output = { text: '' };
  const { program, options } = buildProgram(version, output);
  // Help and version win over everything else on the line, even a mistake elsewhere.
  if (argv.some((a) => a === '-h' || a === '--help')) {
    program.outputHelp();
    return { kind: 'help', text: output.text };
  }
  if (argv.some((a) => a === '-V' || a === '--version'))
    return { kind: 'version', text: `wirety-ship ${version}` };
  const problems: Problem[] = [];
  const kept = prescan(argv, problems);
  try {
    program.parse(kept, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander's messages quote option names, never values, for the errors left after prescan.
    problems.push({
      message: error.message.replace(/^error: /, ''),
      where: { text: 'command line' },
      hint: 'run wirety-ship --help',
    });
    return { kind: 'options', values: new Map(), problems };
  }
  const opts = program.opts<Record<string, FlagValue | undefined>>();
  const values = new Map<Setting, FlagValue>();
  for (const [setting, option] of options) {
    const value = opts[option.attributeName()];
    if (value !== undefined) values.set(setting, value);
  }
  return { kind: 'options', values, problems };
}
