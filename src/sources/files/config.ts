/**
 * The file input's configuration (`inputs.<name>.type: file`), declared beside the input
 * (config/declare.ts says how) and registered by ../config-kinds.ts. Its positions live in
 * `<buffer.data_dir>/positions/<name>.json`, which is why a memory buffer is refused: positions
 * would be committed for lines a crash then loses from the memory journal.
 */
import { Type } from '@sinclair/typebox';
import picomatch from 'picomatch';
import { choice, duration, integer, list } from '../../config/declare.js';
import type { InputKind } from '../../config/input-kinds.js';
import type { Setting } from '../../config/settings.js';
import { formatDuration } from '../../config/units.js';
import type { FileInputSpec } from '../../config/types.js';

// prettier-ignore
const flags: readonly Setting[] = [
  { flag: 'file', arg: '<glob>', env: 'WIRETY_SHIP_FILE', kind: 'list', input: 'file', path: ['include'], description: 'follow the log files matching this glob (input "file"), repeatable; quote it so the shell does not expand it' },
  { flag: 'file-format', arg: '<auto|raw|cri|docker>', env: 'WIRETY_SHIP_FILE_FORMAT', kind: 'value', input: 'file', path: ['format'], description: 'format of the --file files (default auto: detected per file)' },
];

export const fileConfig: InputKind = {
  type: 'file',
  flags,
  own: {
    include: Type.Array(Type.String(), {
      minItems: 1,
      'x-default': 'required',
      description:
        'globs of the files to follow, e.g. `/var/log/pods/*_wirety-*/wirety-server/*.log`; evaluated again every `glob_interval` (new pods, rotations). Required',
    }),
    exclude: list({
      default: [],
      doc: 'globs of files not to read, added to `**/*.gz` and `**/*.tmp` (compressed and half-written rotated files), which are never read',
    }),
    format: choice(['auto', 'raw', 'cri', 'docker'] as const, {
      default: 'auto',
      doc: '`raw`: one line per event; `cri`: containerd/CRI-O log files; `docker`: json-file logs; `auto`: detected per file from its first line',
    }),
    streams: Type.Optional(
      Type.Array(Type.Unsafe<'stdout' | 'stderr'>({ type: 'string', enum: ['stdout', 'stderr'] }), {
        minItems: 1,
        default: ['stdout'],
        description:
          "container streams shipped (`cri`, `docker`); wirety's stderr carries its console log, not audit events",
      }),
    ),
    read_from: choice(['beginning', 'end'] as const, {
      default: 'beginning',
      doc: 'at the very first start (no positions yet), where files that already exist are read from; files found later are always read from their start',
    }),
    max_open_files: integer({
      min: 1,
      default: 256,
      doc: 'files kept open at once; idle files beyond it are closed and reopened when they grow',
    }),
    glob_interval: duration({
      min: 1,
      default: '1s',
      doc: 'how often the globs are evaluated and rotations checked (fs.watch wakes the input earlier where it works)',
    }),
  },
  describe(input) {
    const spec = input as FileInputSpec;
    return [
      `files ${spec.include.join(', ')}${spec.exclude.length ? ` except ${spec.exclude.join(', ')}` : ''} (never *.gz, *.tmp); format ${spec.format}; streams ${spec.streams.join(',')}; first start reads from the ${spec.read_from}; at most ${spec.max_open_files} open; globs every ${formatDuration(spec.glob_interval_ms)}`,
      'positions in <buffer.data_dir>/positions/' + spec.name + '.json, committed once lines are journaled',
    ];
  },
  check(input, _raw, report) {
    if (input.type !== 'file') return;
    const spec = input;
    for (const key of ['include', 'exclude'] as const) {
      spec[key].forEach((glob, i) => {
        const problem = globProblem(glob);
        if (problem) report(['inputs', spec.name, key, i], problem);
      });
    }
  },
};

/** Why a glob cannot be used, or undefined. */
function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'is an empty glob';
  if (glob.includes('\0')) return 'holds a NUL character';
  try {
    picomatch.makeRe(glob, { strictBrackets: true });
  } catch (error) {
    return `is not a valid glob (${(error as Error).message})`;
  }
  return undefined;
}
