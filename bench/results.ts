/**
 * What one `npm run bench` run measured: the rows it prints as it goes (and again as a summary),
 * and the figures the issue-12 targets are checked against at the end (bench/targets.ts).
 */

export interface Figures {
  /** The floor's events/s (bench/floor.ts) on the main corpus of this run. */
  floor?: number;
  /** events/s (per sink for all3) by `--only` name. */
  readonly throughput: Map<string, number>;
  /** Peak RSS in MiB by row name. */
  readonly peakRssMiB: Map<string, number>;
  rate100?: { cpuPercent?: number; p99Ms: number; batchWaitMs: number; complete: boolean };
  idle?: { cpuPercent?: number; peakRssMiB: number };
  start?: { versionMs: number; helpMs: number; firstDeliveryMs?: number };
  /** Drain events/s after an outage, on the main corpus. */
  catchUp?: number;
}

export const figures: Figures = { throughput: new Map(), peakRssMiB: new Map() };

const rows: string[] = [];

export function report(name: string, text: string): void {
  const row = `${name.padEnd(26)} ${text}`;
  rows.push(row);
  process.stdout.write(row + '\n');
}

export function printSummary(): void {
  if (rows.length > 1) process.stdout.write(`\nsummary\n${rows.join('\n')}\n`);
}

export const perSecond = (n: number) => Math.round(n).toLocaleString('en');

/** "0.31× floor", or why there is no ratio. */
export function floorRatio(eventsPerSecond: number): string {
  return figures.floor === undefined
    ? 'no floor this run'
    : `${(eventsPerSecond / figures.floor).toFixed(2)}× floor`;
}

/** Records a row's peak RSS for the memory target, and returns its text. */
export function peakRss(row: string, mib: number): string {
  figures.peakRssMiB.set(row, Math.max(mib, figures.peakRssMiB.get(row) ?? 0));
  return `peak RSS ${mib.toFixed(0)} MiB`;
}

/** " (median of 3: 61,000 / 64,000 / 70,000)" when repeated, else "". */
export function repeatsText(eventsPerSecond: readonly number[]): string {
  return eventsPerSecond.length < 2
    ? ''
    : ` (median of ${eventsPerSecond.length}: ${[...eventsPerSecond]
        .sort((a, b) => a - b)
        .map(perSecond)
        .join(' / ')})`;
}
