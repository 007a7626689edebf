/**
 * The targets of issue 12, checked against what this run measured (bench/results.ts): one line
 * each with the figure, the threshold and met / MISSED, or "not measured" when the scenario did
 * not run (`--only`). The throughput and memory targets are stated for a 1,000,000-line corpus
 * (memory at 5,000,000 too); other sizes are flagged.
 */
import { figures } from './results.js';

const MEMORY_CEILING_MIB = 100;

function line(
  target: string,
  figure: string | undefined,
  threshold: string,
  met: boolean | undefined,
): string {
  const verdict = figure === undefined || met === undefined ? 'not measured' : met ? 'met' : 'MISSED';
  return `  ${verdict.padEnd(13)}${target.padEnd(44)}${(figure ?? '–').padEnd(22)}target ${threshold}`;
}

function ratioTarget(target: string, only: string, atLeast: number): string {
  const eps = figures.throughput.get(only);
  const ratio = eps === undefined || figures.floor === undefined ? undefined : eps / figures.floor;
  return line(
    target,
    ratio === undefined ? undefined : `${ratio.toFixed(2)}× floor`,
    `≥ ${atLeast}× floor`,
    ratio === undefined ? undefined : ratio >= atLeast,
  );
}

export function targetsText(corpusLines: number): string {
  const out = [
    `targets (issue 12)${corpusLines === 1_000_000 ? '' : ` — this run's corpus is ${corpusLines.toLocaleString('en')} lines; the targets are stated for 1,000,000`}`,
  ];
  out.push(ratioTarget('1. stdin → Loki, defaults', 'loki-disk', 0.5));
  out.push(ratioTarget('1. stdin → Elasticsearch, defaults', 'es', 0.4));
  out.push(ratioTarget('1. stdin → Splunk HEC, defaults', 'splunk', 0.4));
  out.push(ratioTarget('1. all three sinks at once, per sink', 'all3', 0.25));
  const shipping = [...figures.peakRssMiB].filter(([row]) => row !== 'floor' && !row.startsWith('idle'));
  for (const [row, mib] of shipping)
    out.push(
      line(
        `2. peak RSS: ${row}`,
        `${mib.toFixed(0)} MiB`,
        `≤ ${MEMORY_CEILING_MIB} MiB`,
        mib <= MEMORY_CEILING_MIB,
      ),
    );
  if (shipping.length === 0)
    out.push(line('2. peak RSS, every scenario', undefined, `≤ ${MEMORY_CEILING_MIB} MiB`, undefined));
  const idle = figures.idle;
  out.push(
    line(
      '2. idle, 3 HTTP sinks: peak RSS',
      idle && `${idle.peakRssMiB.toFixed(0)} MiB`,
      '≤ 60 MiB',
      idle && idle.peakRssMiB <= 60,
    ),
  );
  const r = figures.rate100;
  out.push(
    line(
      '3. 100 events/s: CPU',
      r?.cpuPercent === undefined ? undefined : `${r.cpuPercent.toFixed(2)} % of a core`,
      '≤ 1 % of a core',
      r?.cpuPercent === undefined ? undefined : r.cpuPercent <= 1,
    ),
  );
  out.push(
    line(
      '3. 100 events/s: p99 delivery latency',
      r && `${r.p99Ms.toFixed(0)} ms${r.complete ? '' : ' (incomplete)'}`,
      `≤ ${r ? r.batchWaitMs + 100 : 'batch wait + 100'} ms`,
      r && r.complete && r.p99Ms <= r.batchWaitMs + 100,
    ),
  );
  out.push(
    line(
      '3. fully idle: CPU',
      idle?.cpuPercent === undefined ? undefined : `${idle.cpuPercent.toFixed(2)} % of a core`,
      '≤ 0.2 % of a core',
      idle?.cpuPercent === undefined ? undefined : idle.cpuPercent <= 0.2,
    ),
  );
  const s = figures.start;
  out.push(line('4. --version', s && `${s.versionMs.toFixed(0)} ms`, '≤ 100 ms', s && s.versionMs <= 100));
  out.push(line('4. --help', s && `${s.helpMs.toFixed(0)} ms`, '≤ 100 ms', s && s.helpMs <= 100));
  out.push(
    line(
      '4. start to first delivery',
      s?.firstDeliveryMs === undefined ? undefined : `${s.firstDeliveryMs.toFixed(0)} ms`,
      '≤ 300 ms',
      s?.firstDeliveryMs === undefined ? undefined : s.firstDeliveryMs <= 300,
    ),
  );
  const cu = figures.catchUp;
  const cuRatio = cu === undefined || figures.floor === undefined ? undefined : cu / figures.floor;
  out.push(
    line(
      '5. catch-up after an outage',
      cuRatio === undefined ? undefined : `${cuRatio.toFixed(2)}× floor`,
      '≥ 0.5× floor',
      cuRatio === undefined ? undefined : cuRatio >= 0.5,
    ),
  );
  return out.join('\n');
}
