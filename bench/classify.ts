/**
 * Classifier throughput: builds COUNT corpus lines in memory (default 1,000,000), then times
 * JSON.parse alone (the floor) and the full classifier over them, best of ROUNDS after a warm-up.
 * Reports wall-clock and CPU-time rates: on a shared machine the CPU-time figure is the steadier
 * one (time spent descheduled does not count), though it includes V8's helper threads.
 *
 * node --import tsx bench/classify.ts [COUNT] [ROUNDS]
 */
import { corpusLines } from './corpus.js';
import { createClassifier } from '../src/audit/classify.js';
import type { Verdict } from '../src/observe/stats.js';

const count = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 5);

const lines: string[] = [];
let bytes = 0;
for (const line of corpusLines(count, 1)) {
  lines.push(line);
  bytes += line.length;
}
const classify = createClassifier();

function parseOnly(): number {
  let ok = 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
      ok++;
    } catch {
      // counted as not ok; the floor includes the cost of throwing
    }
  }
  return ok;
}

function classifyAll(): Record<Verdict, number> {
  const verdicts: Record<Verdict, number> = { not_json: 0, empty: 0, not_audit: 0, invalid: 0, valid: 0 };
  for (const line of lines) verdicts[classify(line).verdict]++;
  return verdicts;
}

function time(label: string, run: () => unknown): void {
  run(); // warm-up: lets V8 optimise before we measure
  const rates: number[] = [];
  const cpuRates: number[] = [];
  let result: unknown;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    result = run();
    const cpu = process.cpuUsage(cpuStart);
    rates.push(lines.length / (Number(process.hrtime.bigint() - start) / 1e9));
    cpuRates.push(lines.length / ((cpu.user + cpu.system) / 1e6));
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  const best = Math.max(...rates);
  const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  const mbps = (best * (bytes / lines.length)) / 1e6;
  process.stdout.write(
    `${label.padEnd(12)} wall: best ${fmt(best)} lines/s (${mbps.toFixed(0)} MB/s), median ${fmt(median)}; ` +
      `cpu: best ${fmt(Math.max(...cpuRates))} lines/s  ${JSON.stringify(result)}\n`,
  );
}

process.stdout.write(
  `${lines.length.toLocaleString('en')} lines, ${(bytes / lines.length).toFixed(0)} bytes/line average, ${rounds} rounds\n`,
);
time('JSON.parse', parseOnly);
time('classify', classifyAll);
process.stdout.write(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
