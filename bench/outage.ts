/**
 * A receiver outage and the catch-up after it (scenario 5 of issue 12; `outage` and `catch-up`).
 *
 * 1. The receiver answers 503 while the corpus is piped in: everything is journaled, and the
 *    shipper exits 75 when stdin ends (it could not deliver within shutdown_timeout).
 * 2. The receiver comes back; the shipper is started again on that journal with nothing on stdin
 *    and drains it. Drain events/s = journaled audit events ÷ time from spawn (stamped by the
 *    bench) to the last push request having arrived (stamped by the receiver), both wall clock
 *    (bench/epoch-ms.ts). With `repeat` > 1 the journal is copied aside first and each drain
 *    starts from that copy: the figure is the median.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ShipperCommand } from './audit-rate.js';
import type { CorpusFile } from './corpus-file.js';
import { runToExit } from './exiting-process.js';
import { startReceiver } from './receiver.js';
import { floorRatio, peakRss, perSecond, repeatsText, report } from './results.js';
import { median } from './stats.js';

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const f of await readdir(dir)) total += (await stat(path.join(dir, f))).size;
  return total;
}

/** Reports two rows, `<name>: journal` and `<name>: drain`; resolves with the drain events/s. */
export async function outageAndRestart(
  name: string,
  cmd: ShipperCommand,
  c: CorpusFile,
  repeat: number,
): Promise<number | undefined> {
  const receiver = await startReceiver(cmd.root, true);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ws-bench-'));
  const journal = path.join(dataDir, 'journal');
  const configPath = path.join(dataDir, 'ship.yaml');
  writeFileSync(
    configPath,
    `buffer:\n  data_dir: ${journal}\n  max_bytes: 4GiB\nshutdown_timeout: 2s\ndead_letter:\n  path: ${dataDir}/dead.ndjson\nsinks:\n  loki:\n    type: loki\n    url: ${receiver.url}\n`,
  );
  const run = (stdinPath?: string) =>
    runToExit({
      nodeArgs: [
        ...cmd.nodeFlags,
        cmd.cli,
        '--config',
        configPath,
        // Receiver down: stop 2 s after EOF (exit 75). Draining: stdin ends at once, and the drain
        // must not be cut short when a slow start or a busy machine stalls it for 2 s.
        ...(stdinPath === undefined ? ['--shutdown-timeout', '60s'] : []),
      ],
      ...(stdinPath === undefined ? {} : { stdinPath }),
    });
  try {
    const down = await run(c.path);
    if (down.exitCode !== 75) process.stderr.write(down.stderrTail);
    const journalBytes = await dirBytes(journal);
    const journalRow = `${name}: journal`;
    report(
      journalRow,
      `${perSecond(c.audit / down.seconds)} events/s journaled (receiver down)  ${peakRss(journalRow, down.peakRssMiB)}  ${(journalBytes / 2 ** 30).toFixed(2)} GiB, ${c.lines.toLocaleString('en')} lines, exit ${down.exitCode} (75 expected)`,
    );
    if (repeat > 1) cpSync(journal, journal + '.saved', { recursive: true });
    await receiver.setDown(false);
    const rates: number[] = [];
    const drainRow = `${name}: drain`;
    let text = '';
    for (let i = 0; i < repeat; i++) {
      if (i > 0) {
        rmSync(journal, { recursive: true, force: true });
        cpSync(journal + '.saved', journal, { recursive: true });
        await receiver.reset();
      }
      const up = await run();
      if (up.exitCode !== 0) process.stderr.write(up.stderrTail);
      const got = await receiver.count();
      const complete = got.events >= c.audit && got.lastAt !== undefined;
      const seconds = complete ? (got.lastAt - up.spawnedAt) / 1000 : up.seconds;
      if (complete) rates.push(c.audit / seconds);
      const first = got.firstAt === undefined ? '?' : ((got.firstAt - up.spawnedAt) / 1000).toFixed(2);
      text = `${peakRss(drainRow, up.peakRssMiB)}  ${complete ? 'all' : `ONLY ${got.events}/${c.audit}`} delivered, last ${seconds.toFixed(1)} s after spawn, first ${first} s; exit ${up.exitCode} after ${up.seconds.toFixed(1)} s`;
    }
    const rate = rates.length === repeat ? median(rates) : undefined;
    report(
      drainRow,
      `${rate === undefined ? 'incomplete, no rate' : `${perSecond(rate)} events/s  ${floorRatio(rate)}`}  ${text}${repeatsText(rates)}`,
    );
    return rate;
  } finally {
    receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
