/**
 * The Loki sink through the shared delivery loop against a Loki test receiver that applies Loki's
 * limits (test/receivers/loki-limits.ts): structured metadata disallowed, partial 400s, a 429 for a
 * push over the tenant's burst. Per event: stored by Loki exactly once, or dead-lettered with the
 * message Loki gave for it; extra requests bounded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import type { LokiSinkConfig } from '../../../src/config/types.js';
import { createLokiCodec } from '../../../src/sinks/loki/index.js';
import { makeRecord, makeRecords, serverLine } from '../../helpers/records.js';
import {
  startWorkerHarness,
  type WorkerHarness,
  type WorkerHarnessOptions,
} from '../../helpers/test-codec.js';
import type { LokiLimits } from '../../receivers/loki-limits.js';
import { startLokiReceiver } from '../../receivers/loki-receiver.js';

const never = new AbortController().signal;

async function start(
  records: readonly AuditRecord[],
  limits: LokiLimits,
  sink: Partial<LokiSinkConfig> = {},
  harness: Partial<WorkerHarnessOptions> = {},
) {
  const loki = await startLokiReceiver({ limits });
  const codec = createLokiCodec(loki.sinkConfig(sink));
  const h = await startWorkerHarness({ records, sink: { codec, receiver: loki }, ...harness });
  return { h, loki };
}

/** Like h.drive, but fails instead of retrying forever when the feature under test is missing. */
async function driveAtMost(h: WorkerHarness, run: Promise<void>, maxSleeps: number): Promise<void> {
  let settled = false;
  const done = run.finally(() => (settled = true));
  for (let i = 0; !settled; i++) {
    const ms = await Promise.race([h.clock.nextSleep(), done.then(() => undefined)]);
    if (ms === undefined) break;
    assert.ok(i < maxSleeps, `still retrying after ${maxSleeps} backoffs`);
    await h.clock.advance(ms);
  }
  await done;
}

const withEvent = (seq: number, patch: Record<string, unknown>): AuditRecord =>
  makeRecord(seq, JSON.stringify({ ...(JSON.parse(serverLine) as object), ...patch }));

/** Asserts Loki holds each of `expected` exactly once, byte-for-byte, and nothing else. */
function assertStoredOnce(
  stored: readonly { line: string; metadata: Record<string, string> }[],
  expected: readonly AuditRecord[],
): void {
  assert.deepEqual(
    stored.map((e) => e.metadata.event_id).sort(),
    expected.map((r) => r.id).sort(),
    'each event stored exactly once',
  );
  for (const e of stored) {
    assert.equal(e.line, expected.find((r) => r.id === e.metadata.event_id)?.line, 'line byte-for-byte');
  }
}

void test('SM disallowed (Loki 2.9): blocked at max backoff, error names the option, nothing dead-lettered; events kept until Loki allows it', async () => {
  const records = makeRecords(4);
  const { h, loki } = await start(records, { allowStructuredMetadata: false });
  try {
    const run = h.worker.run(never);
    assert.equal(await h.clock.nextSleep(), 1000, 'max backoff');
    await h.clock.advance(1000);
    assert.equal(await h.clock.nextSleep(), 1000, 'still blocked');
    assert.equal(h.sink.blockedSinceMs, h.clock.now() - 1000);
    assert.match(h.sink.lastError ?? '', /set `structured_metadata: false` on this sink/);
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 2, 'a loud error on every attempt');
    assert.match(String(errors[0]!.fields?.reason), /structured metadata, but this feature is disallowed/);
    assert.deepEqual(h.deadLetter.records, [], 'never dead-lettered');
    assert.deepEqual(h.cursor.commits, [], 'kept in the journal');
    assert.deepEqual(loki.stored(), []);

    // The Loki admin turns allow_structured_metadata on: the kept events go out, with their ids.
    loki.setLimits({});
    await h.clock.advance(1000);
    await run;
    assertStoredOnce(loki.stored(), records);
    assert.equal(loki.requests.length, 3);
    assert.deepEqual(h.cursor.commits, [4]);
    assert.equal(h.sink.blockedSinceMs, undefined);
  } finally {
    await h.close();
  }
});

void test('structured_metadata: false against an SM-disallowed Loki: all delivered at once, lines byte-for-byte, no metadata', async () => {
  const records = makeRecords(6);
  const { h, loki } = await start(
    records,
    { allowStructuredMetadata: false },
    { structured_metadata: false, structured_metadata_fields: [] },
  );
  try {
    await driveAtMost(h, h.worker.run(never), 0);
    const stored = loki.stored();
    assert.deepEqual(stored.map((e) => e.line).sort(), records.map((r) => r.line).sort());
    for (const e of stored) assert.deepEqual(e.metadata, {});
    assert.equal(new Set(stored.map((e) => e.timestampNs)).size, records.length, 'entries stay distinct');
    assert.equal(loki.requests.length, 1);
    assert.deepEqual(h.deadLetter.records, []);
    assert.equal(h.sink.delivered, 6);
  } finally {
    await h.close();
  }
});

void test('partial 400: valid entries stored once, only the refused ones dead-lettered with their own Loki message; requests bounded', async () => {
  const records = makeRecords(16);
  records[5] = withEvent(6, { time: 1_700_000_000, peer_name: 'old' }); // too old
  records[10] = withEvent(11, { peer_name: 'x'.repeat(2000) }); // line too long
  const limits = { oldestAcceptableNs: 1_747_000_000n * 1_000_000_000n, maxLineBytes: 1000 };
  const { h, loki } = await start(records, limits);
  try {
    await driveAtMost(h, h.worker.run(never), 0);
    const refused = [records[5], records[10]];
    assertStoredOnce(
      loki.stored(),
      records.filter((r) => !refused.includes(r)),
    );
    assert.ok(loki.duplicatesSkipped() > 0, 'resends of stored entries were absorbed by Loki');
    const stream = '{job="wirety", source="server"}';
    assert.deepEqual(
      h.deadLetter.records.map((d) => [d.event_id, d.line, d.detail]),
      [
        [
          'test-6',
          records[5].line,
          `Loki refused the entries (HTTP 400): entry for stream '${stream}' has timestamp too old: 2023-11-14T22:13:20Z, oldest acceptable timestamp is: 2025-05-11T21:46:40Z`,
        ],
        [
          'test-11',
          records[10].line,
          `Loki refused the entries (HTTP 400): Max entry size '1000' bytes exceeded for stream '${stream}' while adding an entry with length '${records[10].bytes}' bytes`,
        ],
      ],
    );
    // 16 → 8+8 → 4+4 (each half with a refused entry) → 2+2 → 1+1: 15 requests, within
    // 1 + 2·k·log2(n) = 17 for k = 2 refused of n = 16.
    assert.equal(loki.requests.length, 15);
    assert.equal(h.sink.delivered, 14);
    assert.equal(h.sink.rejected, 2);
    assert.deepEqual(h.cursor.commits, [16]);
    assert.deepEqual(h.clock.sleeps, [], 'no backoff: Loki answered every request');
  } finally {
    await h.close();
  }
});

void test('one refused entry in 64: 1 + 2·log2(64) = 13 requests', async () => {
  const records = makeRecords(64);
  records[41] = withEvent(42, { time: 1_700_000_000 });
  const { h, loki } = await start(records, { oldestAcceptableNs: 1_747_000_000n * 1_000_000_000n });
  try {
    await h.worker.run(never);
    assert.equal(loki.requests.length, 13);
    assertStoredOnce(
      loki.stored(),
      records.filter((_, i) => i !== 41),
    );
    assert.deepEqual(
      h.deadLetter.records.map((d) => d.event_id),
      ['test-42'],
    );
    assert.equal(h.sink.delivered, 63);
  } finally {
    await h.close();
  }
});

void test('400 refusing every entry (Loki counts them): one request, all dead-lettered, no bisecting', async () => {
  const records = makeRecords(10).map((r) => withEvent(r.seq, { time: 1_700_000_000 + r.seq }));
  const { h, loki } = await start(records, { oldestAcceptableNs: 1_747_000_000n * 1_000_000_000n });
  try {
    await h.worker.run(never);
    assert.equal(loki.requests.length, 1);
    assert.deepEqual(loki.stored(), []);
    assert.deepEqual(
      h.deadLetter.records.map((d) => d.event_id),
      records.map((r) => r.id),
    );
    for (const d of h.deadLetter.records) {
      assert.match(
        d.detail,
        /^Loki refused the entries \(HTTP 400\): 1 errors like: entry for stream .* has timestamp too old/,
      );
    }
    assert.equal(h.sink.retries.bisect, undefined);
  } finally {
    await h.close();
  }
});

/** Bytes Loki's rate limiter counts for an entry: line + metadata names and values. */
const entryBytes = (r: AuditRecord) => r.bytes + 'event_id'.length + r.id.length;

void test('429 for a push over the tenant burst: split after 3 in a row until the halves fit; each event stored once', async () => {
  const records = makeRecords(8);
  const pairs = [0, 2, 4, 6].map((i) => entryBytes(records[i]!) + entryBytes(records[i + 1]!));
  const burstBytes = Math.max(...pairs);
  assert.ok(pairs[0]! + pairs[1]! > burstBytes && pairs[2]! + pairs[3]! > burstBytes, 'no four fit');
  const { h, loki } = await start(records, { burstBytes });
  try {
    await driveAtMost(h, h.worker.run(never), 9);
    assertStoredOnce(loki.stored(), records);
    assert.equal(loki.duplicatesSkipped(), 0, 'nothing was stored by a refused push');
    // 8 ×3, then 4 ×3 → 2, 2; then 4 ×3 → 2, 2.
    assert.equal(loki.requests.length, 13);
    assert.deepEqual(h.clock.sleeps, [100, 200, 400, 100, 200, 400, 100, 200, 400], 'normal backoff');
    assert.equal(h.sink.retries.split, 3);
    assert.equal(h.sink.retries.rate_limited, 9);
    assert.deepEqual(h.deadLetter.records, []);
    assert.equal(h.sink.delivered, 8);
  } finally {
    await h.close();
  }
});

void test('429 for a single event over the burst: retried at the normal backoff, never dead-lettered', async () => {
  const records = [withEvent(1, { peer_name: 'y'.repeat(600) })];
  const { h, loki } = await start(records, { burstBytes: 500 });
  try {
    const run = h.worker.run(never);
    const sleeps: number[] = [];
    for (let i = 0; i < 6; i++) {
      sleeps.push(await h.clock.nextSleep());
      if (i < 5) await h.clock.advance(sleeps[i]!);
    }
    assert.deepEqual(sleeps, [100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual(h.deadLetter.records, []);
    assert.deepEqual(h.cursor.commits, []);
    assert.match(h.sink.lastError ?? '', /429.*Ingestion rate limit exceeded/);
    // The tenant's burst is raised: the event goes out.
    loki.setLimits({});
    await h.clock.advance(1000);
    await run;
    assertStoredOnce(loki.stored(), records);
    assert.equal(loki.requests.length, 7);
    assert.equal(h.sink.retries.split, undefined);
  } finally {
    await h.close();
  }
});
