/**
 * What a run needs from the machine, checked before anything is created, so a start that cannot
 * work fails at once (exit 74) and leaves nothing behind (no journal directory, cursor, lock or
 * dead-letter file), and --check-config can say the same without running:
 * - the journal directory (disk buffer): writable, or creatable under a writable parent, and not
 *   used by another wirety-ship (journal/disk/lock.ts);
 * - the dead-letter file: writable, or creatable in a writable directory;
 * - the metrics address and each Forward input's TCP address: free to listen on (bound and
 *   closed at once).
 * Creates and changes nothing, and returns every problem found, not only the first. The journal
 * takes its lock for real when it opens; this check only makes the refusal early and complete.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import type { Config } from '../config/types.js';
import { probeJournalLock, describeHolder } from '../journal/disk/lock.js';
import { parseAddress } from '../monitor/health-server.js';
import { parseListenAddress } from '../sources/forward/options.js';

export interface StartupProblem {
  /** The setting the problem is about, e.g. "buffer.data_dir". */
  readonly key: string;
  readonly message: string;
  readonly hint?: string;
}

const uid = () => process.getuid?.() ?? '?';
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

/** Why `path` cannot be created or written as a directory, or undefined when it can. */
async function unwritableDir(path: string): Promise<string | undefined> {
  let at = path;
  for (;;) {
    try {
      if (!(await stat(at)).isDirectory()) return `${at} is not a directory`;
      break;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT' || dirname(at) === at) return `${at}: ${codeOf(error)}`;
      at = dirname(at); // created at start: what matters is the nearest directory that exists
    }
  }
  try {
    await access(at, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    return `${at} is not writable by uid ${uid()} (${codeOf(error)})`;
  }
}

async function unwritableFile(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return `${path} is a directory`;
  } catch (error) {
    return codeOf(error) === 'ENOENT' ? unwritableDir(dirname(path)) : `${path}: ${codeOf(error)}`;
  }
  try {
    await access(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return `${path} is not writable by uid ${uid()} (${codeOf(error)})`;
  }
}

/** Why nothing can listen on `address`, or undefined when something can (port 0 always can). */
async function cannotListen(
  address: string,
  { host, port }: { readonly host: string; readonly port: number },
  key: string,
  hint: string,
): Promise<StartupProblem | undefined> {
  if (port === 0) return undefined;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return undefined;
  } catch (error) {
    const code = codeOf(error);
    const why: Record<string, string> = {
      EADDRINUSE: `${address} is in use by another process`,
      EACCES: `listening on ${address} is not permitted (ports below 1024 need privileges)`,
      EADDRNOTAVAIL: `${host} is not an address of this machine`,
      ENOTFOUND: `the host name ${host} does not resolve`,
    };
    return { key, message: why[code] ?? `cannot listen on ${address} (${code})`, hint };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function preflight(config: Config): Promise<StartupProblem[]> {
  const problems: StartupProblem[] = [];
  if (config.buffer.type === 'disk') {
    const dir = config.buffer.data_dir;
    const bad = await unwritableDir(dir);
    if (bad) {
      problems.push({
        key: 'buffer.data_dir',
        message: `cannot use ${dir}: ${bad}`,
        hint: 'create it for the user wirety-ship runs as, or choose another with --data-dir',
      });
    } else {
      const holder = await probeJournalLock(dir).catch((error: unknown) => error as Error);
      if (holder instanceof Error) {
        problems.push({
          key: 'buffer.data_dir',
          message: `cannot check the lock of ${dir}: ${codeOf(holder)}`,
        });
      } else if (holder) {
        problems.push({
          key: 'buffer.data_dir',
          message: `another wirety-ship (${describeHolder(holder)}) uses ${dir}`,
          hint: 'one journal belongs to one process: stop that one, or give this one its own --data-dir',
        });
      }
    }
  }
  const deadLetter = await unwritableFile(config.dead_letter.path);
  if (deadLetter) {
    problems.push({
      key: 'dead_letter.path',
      message: `cannot write ${config.dead_letter.path}: ${deadLetter}`,
      hint: 'choose another with --dead-letter',
    });
  }
  if (config.metrics.address !== undefined) {
    const address = config.metrics.address;
    const metrics = await cannotListen(
      address,
      parseAddress(address),
      'metrics.address',
      'choose another address with --metrics-addr, or stop what uses it',
    );
    if (metrics) problems.push(metrics);
  }
  for (const input of config.inputs) {
    if (input.type !== 'forward') continue;
    const listen = parseListenAddress(input.address);
    if (listen.kind !== 'tcp') continue; // a unix socket: the listener handles a stale file itself
    const forward = await cannotListen(
      input.address,
      listen,
      `inputs.${input.name}.address`,
      'choose another address (--forward), or stop what uses it',
    );
    if (forward) problems.push(forward);
  }
  return problems;
}
