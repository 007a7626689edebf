/**
 * The config the chart renders into its ConfigMap is loaded by wirety-ship's own config loader,
 * as the container would load it: the Secrets' files exist (at a temp dir standing for
 * /etc/wirety-ship/secrets) and the downward API variables are set.
 */
// The config loader knows the sink and input kinds once they register (as the CLI does).
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ConfigError, formatProblem, type Problem } from '../../src/config/config-error.js';
import { loadCommand } from '../../src/config/load.js';
import '../../src/sinks/config-kinds.js';
import '../../src/sources/config-kinds.js';
import { makeCertificates } from '../helpers/certificates.js';
import { CHART, render, shipConfig } from './chart.js';

const MOUNTED_SECRETS = '/etc/wirety-ship/secrets/';
const POD_ENV = {
  NODE_NAME: 'node-1',
  POD_NAMESPACE: 'wirety',
  POD_NAME: 'wirety-server-0',
  POD_UID: '0b4c7f0e-7c49-4d6e-9c3e-2a1f5d0c9e11',
  ARCHIVE_PASSWORD: 'from-a-secret',
};

/** Loads `text` as the container would; returns the loader's problems (none: it would run). */
async function problemsOf(text: string): Promise<readonly Problem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'wirety-ship-chart-config-'));
  try {
    // The chart's Secret files, where the loader can read them: PEM where a certificate is due.
    const secrets = join(dir, 'secrets');
    const certs = join(dir, 'certs');
    await mkdir(certs);
    makeCertificates(certs);
    const local = text.replaceAll(MOUNTED_SECRETS, `${secrets}/`);
    for (const [, file] of local.matchAll(/_file: (\S+)/g)) {
      if (!file?.startsWith(secrets)) continue;
      await mkdir(dirname(file), { recursive: true });
      if (/tls\.ca$|tls\.cert$/.test(file)) await copyFile(join(certs, 'ca.pem'), file);
      else await writeFile(file, 'from-a-secret\n');
    }
    await writeFile(join(dir, 'wirety-ship.yaml'), local);
    const command = await loadCommand(['--config', 'wirety-ship.yaml'], POD_ENV, {
      cwd: dir,
      hostname: 'node-1',
      home: '/root',
      uid: 0,
    });
    assert.equal(command.kind, 'run');
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const VALUES_SETS = [
  'default (no sink)',
  ...(await readdir(join(CHART, 'ci'))).filter((f) => f.endsWith('.yaml')).sort(),
];

describe('helm chart: the rendered config loads with wirety-ship’s config loader', () => {
  for (const set of VALUES_SETS) {
    it(`${set}`, async () => {
      const { text } = shipConfig(await render(set.endsWith('.yaml') ? set : {}));
      // The whole rendered config, the file input inputs.pods included.
      assert.deepEqual((await problemsOf(text)).map(formatProblem), []);
    });
  }

  it('a config the loader refuses is caught here (the check is real)', async () => {
    const { config } = shipConfig(await render({ sinks: { loki: { url: 'http://loki:3100' } } }));
    const { inputs: _inputs, ...rest } = config;
    const broken = { ...rest, sinks: { loki: { type: 'loki', url: 'http://loki:3100', gzip: 'yes' } } };
    const problems = await problemsOf(stringify(broken));
    assert.equal(problems.length, 1);
    assert.match(formatProblem(problems[0] as Problem), /gzip/);
  });
});
