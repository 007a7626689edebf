// Lint: typescript-eslint with type information, so floating promises are caught.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The import layers of src/ (drawn in docs/ARCHITECTURE.md, "Layers"): a folder imports only from
 * the layers below it. Each row lists what its files may NOT import; `npm test` runs `eslint .`, so
 * a wrong-way import fails the build, and test/architecture/import-direction.test.ts shows that it
 * does. Every folder of src/ has a row (that test checks it too).
 *
 * Patterns match the import text: src/'s folder names are unique (no subfolder shares a name with a
 * top-level one), so `../deliver/` or `../../deliver/` can only mean src/deliver/. The lowest
 * layers (contract/, observe/) list what they MAY import instead, so nothing new slips under them.
 * Dynamic import() is not checked (only cli.ts and pipeline/ use it, at the top).
 */
const ARCHITECTURE = 'see the layers in docs/ARCHITECTURE.md';
/** An import that reaches one of these src/ folders. */
const reaches = (...folders) => `^(\\./|(\\.\\./)+)(${folders.join('|')})/`;
/** An import of one of these files at the top of src/ (e.g. cli.ts). */
const reachesTop = (...files) => `^(\\./|(\\.\\./)+)(${files.join('|')})\\.js$`;
const APP = ['pipeline', 'monitor', 'check'];
const TOP = ['cli', 'stdin-hint'];

export const LAYERS = [
  {
    folder: 'src/contract',
    why: 'contract/ is the neutral delivery vocabulary: it imports only the record shape (audit/record.ts)',
    // Only `../audit/record.js` may leave the folder.
    patterns: ['^\\.\\./(?!audit/record\\.js$)'],
  },
  {
    folder: 'src/observe',
    why: 'observe/ (logger, stats) is a leaf every layer imports: it may import only contract/',
    patterns: ['^\\.\\./(?!contract/)'],
  },
  {
    folder: 'src/integrity',
    why: 'integrity/ (canonical form, keyed chain, checkpoints) is a leaf shared by the journal, the sinks and verify: it imports no other src/ folder',
    patterns: ['^\\.\\./'],
  },
  {
    folder: 'src/audit',
    why: 'audit/ (the event catalogue and classifier) is a leaf: it imports no other src/ folder',
    patterns: ['^\\.\\./'],
  },
  {
    folder: 'src/sources',
    why: 'sources/ (the inputs: stdin, container log files, the Forward listener) hand lines to ingest: they may use config/, observe/, contract/ and the clock, never storage, delivery or the app',
    patterns: [reaches('sinks', 'transport', 'deliver', 'batch', 'journal', 'dead-letter', ...APP)],
  },
  {
    folder: 'src/dead-letter',
    why: 'dead-letter/ sits below the delivery loop and the pipeline (it may read the input line shapes of sources/)',
    patterns: [reaches('sinks', 'transport', 'deliver', 'batch', 'journal', ...APP)],
  },
  {
    folder: 'src/journal',
    why: 'journal/ stores events; it knows nothing of sinks, delivery or the app',
    patterns: [reaches('sinks', 'transport', 'deliver', 'batch', 'dead-letter', 'sources', ...APP)],
  },
  {
    folder: 'src/config',
    why: 'config/ builds one Config from files, flags and variables; it does not reach delivery or the app',
    patterns: [
      reaches('sinks', 'transport', 'deliver', 'batch', 'journal', 'dead-letter', 'sources', ...APP),
    ],
  },
  {
    folder: 'src/batch',
    why: 'batch/ sits below the delivery loop',
    patterns: [reaches('sinks', 'transport', 'deliver', 'dead-letter', 'sources', ...APP)],
  },
  {
    folder: 'src/transport',
    why: 'transport/ (HTTP client, credentials, scrubbing) sits below the sinks: it imports neither sinks/ nor deliver/',
    patterns: [reaches('sinks', 'deliver', 'batch', 'journal', 'dead-letter', 'audit', 'sources', ...APP)],
  },
  {
    folder: 'src/sinks',
    why: 'sinks/ (codecs and per-sink adapters) sit below the delivery loop: they import contract/ and transport/',
    patterns: [reaches('deliver', 'batch', 'journal', 'dead-letter', 'sources', ...APP)],
  },
  {
    folder: 'src/deliver',
    why: 'deliver/ is the one loop for every sink: it may use sinks/*.ts, never a concrete sink (sinks/<kind>/)',
    patterns: [reaches('sources', ...APP), '^(\\.\\./)+sinks/[^/]+/'],
  },
  {
    folder: 'src/monitor',
    why: 'monitor/ (metrics, health, summary) reads counters and the journal; it drives no delivery',
    patterns: [
      reaches('sinks', 'transport', 'deliver', 'batch', 'dead-letter', 'sources', 'pipeline', 'check'),
    ],
  },
  {
    folder: 'src/check',
    why: 'check/ (--check-config --online) probes receivers through the sinks; it runs no pipeline',
    patterns: [reaches('deliver', 'batch', 'journal', 'dead-letter', 'sources', 'pipeline', 'monitor')],
  },
  {
    folder: 'src/pipeline',
    why: 'pipeline/ wires the layers below it; the command (cli.ts) and check/ sit beside or above it',
    patterns: [reaches('check')],
  },
  {
    folder: 'src/check-log',
    why: 'check-log/ (`wirety-ship check`) classifies captured logs offline: it may use audit/, the line framing of sources/, config/ and observe/, never storage, delivery or the app',
    patterns: [
      reaches('sinks', 'transport', 'deliver', 'batch', 'journal', 'dead-letter', 'commands', ...APP),
    ],
  },
  {
    folder: 'src/verify',
    why: "verify/ (the `verify` command's readers, verifier and report) reads sinks' content on its own: it may use integrity/, contract/, audit/, transport/, observe/ and config/units, never the sinks, delivery, storage or the app",
    patterns: [reaches('sinks', 'deliver', 'batch', 'journal', 'dead-letter', 'sources', 'commands', ...APP)],
  },
  {
    folder: 'src/commands',
    why: 'commands/ holds the subcommands (`wirety-ship check`, `verify`): app level like cli.ts, they may import any layer below',
    patterns: [],
  },
  {
    folder: 'src/types',
    why: 'types/ holds ambient declarations of untyped packages only',
    patterns: ['^\\.'],
  },
];

/** The files at the top of src/: leaves (clock, version) and the command (cli, stdin-hint). */
const TOP_FILES = [
  {
    files: ['src/clock.ts', 'src/version.ts'],
    why: 'clock.ts and version.ts are leaves: they import nothing from src/',
    patterns: ['^\\.'],
  },
  {
    files: ['src/stdin-hint.ts'],
    why: 'stdin-hint.ts is a leaf of the command: it may use observe/ only',
    patterns: ['^\\./(?!observe/)'],
  },
];

const restrict = (why, patterns) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...patterns.map((regex) => ({ regex, message: `${why} (${ARCHITECTURE}).` })),
        // Nothing below the command imports it.
        {
          regex: reachesTop(...TOP),
          message: `only the command imports cli.ts and stdin-hint.ts (${ARCHITECTURE}).`,
        },
      ],
    },
  ],
});

const layerConfigs = [
  ...LAYERS.map(({ folder, why, patterns }) => ({
    files: [`${folder}/**/*.ts`],
    rules: restrict(why, patterns),
  })),
  ...TOP_FILES.map(({ files, why, patterns }) => ({ files, rules: restrict(why, patterns) })),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...layerConfigs,
);
