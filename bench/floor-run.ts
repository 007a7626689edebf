/**
 * The `floor` scenario: bench/floor.ts (read + split + JSON.parse + log_type filter, ships
 * nothing) fed the corpus exactly as the shipper is, `repeat` times; the median events/s becomes
 * the floor every other throughput row of the run is divided by.
 */
import type { CorpusFile } from './corpus-file.js';
import { runToExit } from './exiting-process.js';
import { plainScript } from './plain-script.js';
import { figures, peakRss, perSecond, repeatsText, report } from './results.js';
import { median } from './stats.js';

export async function measureFloor(root: string, c: CorpusFile, repeat: number): Promise<void> {
  const script = plainScript(root, 'floor');
  const rates: number[] = [];
  let peak = 0;
  let kept = '';
  try {
    for (let i = 0; i < repeat; i++) {
      const r = await runToExit({ nodeArgs: [script.path], stdinPath: c.path, captureStdout: true });
      if (r.exitCode !== 0) throw new Error(`floor exited ${r.exitCode}: ${r.stderrTail}`);
      const out = JSON.parse(r.stdout.trim()) as { lines: number; audit: number };
      kept = `${out.lines.toLocaleString('en')} lines read, ${out.audit.toLocaleString('en')} with log_type audit`;
      // The same numerator as the shipper's rows (valid audit events): the ratio is one of times.
      rates.push(c.audit / r.seconds);
      peak = Math.max(peak, r.peakRssMiB);
    }
  } finally {
    script.remove();
  }
  figures.floor = median(rates);
  report(
    'floor (node, ships nothing)',
    `${perSecond(figures.floor)} events/s  ${peakRss('floor', peak)}  ${kept}${repeatsText(rates)}`,
  );
}
