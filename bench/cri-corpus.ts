/**
 * The bench corpus as the kubelet stores a container's stdout (CRI format, containerd's style):
 * `<RFC3339Nano> stdout F <line>` per line, the fraction's trailing zeros trimmed, times
 * increasing by one microsecond a line. Every line is short (~250 bytes), so none is split into
 * `P` pieces: the file input's cost here is the CRI prefix, not partial joining.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** containerd's timestamp: RFC3339 with up to 9 fraction digits, trailing zeros trimmed. */
export function criTimestamp(epochMs: number, extraNanos: number): string {
  const iso = new Date(epochMs).toISOString(); // 2026-12-01T14:00:00.123Z
  const nanos = String((epochMs % 1000) * 1_000_000 + extraNanos).padStart(9, '0');
  const fraction = nanos.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : '.' + fraction}Z`;
}

export function criLine(line: string, epochMs: number, extraNanos: number): string {
  return `${criTimestamp(epochMs, extraNanos)} stdout F ${line}`;
}

/** Writes `src` (NDJSON lines) to `dst` wrapped as CRI lines, with bounded memory. */
export async function writeCriCorpus(
  src: string,
  dst: string,
  startMs = Date.UTC(2026, 11, 1, 14),
): Promise<void> {
  const out = createWriteStream(dst);
  let i = 0;
  let chunk = '';
  for await (const line of createInterface({ input: createReadStream(src), crlfDelay: Infinity })) {
    chunk += criLine(line, startMs + Math.floor(i / 1000), (i % 1000) * 1000) + '\n';
    i++;
    if (chunk.length >= 64 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
