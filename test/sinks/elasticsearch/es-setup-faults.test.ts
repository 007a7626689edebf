/**
 * Bulk item errors about the cluster's set-up (a missing privilege, index or write index, a disk
 * block) through the real delivery loop: the items are kept and the sink is blocked (maximum
 * backoff, an error naming the index and the fix) while stored items count once and are never
 * sent again and document errors are dead-lettered; once the cluster is fixed the kept items go
 * in exactly once. Also: the filter_path query, and a reply longer than the read limit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../../../src/audit/record.js';
import { createMemoryLog } from '../../../src/journal/memory-log.js';
import { readiness } from '../../../src/monitor/readiness.js';
import { sinkStats } from '../../../src/observe/stats.js';
import { INDEX, ids, startEsHarness, storedIds, type EsHarness } from '../../helpers/es-harness.js';
import { makeRecords } from '../../helpers/records.js';
import type { BulkReceiver } from '../../receivers/bulk-receiver.js';
import { esItemErrors, type EsItemFailure } from '../../receivers/es-item-errors.js';

const MAX_BACKOFF = 60_000; // es-harness's retry.max_backoff_ms

/** The next wait the loop asks for; fails at once if the run finishes instead (nothing was kept). */
async function nextWait(h: EsHarness, done: Promise<void>): Promise<number> {
  const finished = done.then(() => {
    throw new Error('the run finished: the records were not kept');
  });
  return Promise.race([h.clock.nextSleep(), finished]);
}

/** How many times each `_id` was stored with a 201 (created), over every request. */
function creations(receiver: BulkReceiver): Map<string, number> {
  const created = new Map<string, number>();
  for (const request of receiver.bulkRequests) {
    request.items.forEach((item, i) => {
      if (request.statuses[i] === 201) created.set(item.action.id, (created.get(item.action.id) ?? 0) + 1);
    });
  }
  return created;
}

test('one reply mixing stored items, document errors and set-up faults: stored once and never resent, document errors dead-lettered, set-up faults kept (blocked) and stored once the cluster is fixed', async () => {
  const h = await startEsHarness();
  try {
    const records = makeRecords(14);
    const kinds = [
      'stored',
      'mapper',
      'immense',
      'security',
      'not_found',
      'no_write_index',
      'flood',
    ] as const;
    const kind = (r: AuditRecord) => kinds[(r.seq - 1) % kinds.length]!;
    const faultOf: Record<(typeof kinds)[number], EsItemFailure | undefined> = {
      stored: undefined,
      mapper: esItemErrors.mapperParsing(INDEX, 'x'),
      immense: esItemErrors.immenseTerm(INDEX),
      security: esItemErrors.securityException(INDEX),
      not_found: esItemErrors.indexNotFound(INDEX),
      no_write_index: esItemErrors.noWriteIndex('wirety-audit'),
      flood: esItemErrors.floodStage(INDEX),
    };
    const byId = new Map(records.map((r) => [r.id, r]));
    let fixed = false;
    h.receiver.scriptItems((_doc, _i, _n, action) => {
      const k = kind(byId.get(action.id)!);
      if (k === 'mapper' || k === 'immense') return faultOf[k]; // the document itself: always refused
      return fixed ? undefined : faultOf[k]; // undefined: behave like Elasticsearch
    });
    const of = (...wanted: (typeof kinds)[number][]) => records.filter((r) => wanted.includes(kind(r)));
    const documentErrors = of('mapper', 'immense');
    const setUp = of('security', 'not_found', 'no_write_index', 'flood');
    const stats = sinkStats(h.stats, 'es');

    const { cursor, done } = h.run(records, { drive: false });
    assert.equal(await nextWait(h, done), MAX_BACKOFF, 'the blocked wait, not a jittered backoff');
    assert.deepEqual(storedIds(h.receiver), ids(of('stored')));
    assert.equal(stats.delivered, of('stored').length, 'stored items count at once');
    assert.deepEqual(
      h.deadLetter.records.map((d) => d.event_id).sort(),
      ids(documentErrors),
      'exactly the document errors are dead-lettered',
    );
    const details = new Map(h.deadLetter.records.map((d) => [byId.get(d.event_id!)!.id, d.detail]));
    for (const r of of('mapper')) assert.match(details.get(r.id)!, /^400 mapper_parsing_exception: /);
    for (const r of of('immense'))
      assert.match(details.get(r.id)!, /^400 illegal_argument_exception: .*immense term/);
    assert.equal(stats.blockedSinceMs, h.clock.now(), 'the sink is reported blocked');
    const journal = createMemoryLog({ sinkNames: ['es'], maxBytes: 1 << 20, whenFull: 'block' });
    const ready = () =>
      readiness({ stats: h.stats, log: journal, now: h.clock.now(), authFailureUnreadyMs: 0 });
    assert.equal(ready().ready, false, '/readyz fails');
    assert.match(ready().reasons.join(), /sink es refused as configured .*security_exception on index/);
    const errors = h.logger.entries.filter((e) => e.level === 'error');
    assert.equal(errors.length, 1, 'a loud error');
    const reason = String(errors[0]!.fields?.reason);
    assert.equal(errors[0]!.fields?.sink, 'es');
    assert.match(reason, /^8 of 14 items refused by the cluster's set-up: /);
    assert.match(
      reason,
      /403 security_exception on index \[wirety-audit-2025\.05\.23\]: .*grant the create_doc index privilege/,
    );
    assert.match(
      reason,
      /404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: .*action\.auto_create_index/,
    );
    assert.match(reason, /alias \[wirety-audit\] .*"is_write_index": true/);
    assert.match(reason, /\(\+1 more\)$/, 'the fourth fault is counted');
    assert.equal(stats.lastError, reason);
    assert.deepEqual(cursor.commits, [], 'nothing committed while items are kept');

    // Still broken: the next attempt carries only the kept items, and is blocked again.
    await h.clock.advance(MAX_BACKOFF);
    assert.equal(await nextWait(h, done), MAX_BACKOFF);
    const resent = h.receiver.bulkRequests
      .at(-1)!
      .items.map((item) => item.action.id)
      .sort();
    assert.deepEqual(resent, ids(setUp), 'only the set-up faults are sent again');
    assert.equal(h.logger.entries.filter((e) => e.level === 'error').length, 2, 'an error on every attempt');

    // The operator fixes the privileges, the index, the alias and the disk.
    fixed = true;
    await h.clock.advance(MAX_BACKOFF);
    await done;
    const stored = records.filter((r) => !documentErrors.includes(r));
    assert.deepEqual(storedIds(h.receiver), ids(stored));
    const created = creations(h.receiver);
    for (const r of stored) assert.equal(created.get(r.id), 1, `${r.id} created exactly once`);
    for (const r of of('stored'))
      assert.equal(h.receiver.sendCount(r.id), 1, 'a stored item is never resent');
    for (const r of documentErrors)
      assert.equal(h.receiver.sendCount(r.id), 1, 'a document error is never resent');
    for (const r of setUp) assert.equal(h.receiver.sendCount(r.id), 3);
    assert.equal(h.deadLetter.records.length, documentErrors.length, 'no set-up fault was dead-lettered');
    assert.equal(stats.delivered, stored.length);
    assert.equal(stats.rejected, documentErrors.length);
    assert.equal(stats.retries.blocked, 2);
    assert.equal(stats.blockedSinceMs, undefined, 'unblocked once they went in');
    assert.equal(ready().ready, true, '/readyz recovers');
    assert.deepEqual(cursor.commits.at(-1), 14);
  } finally {
    await h.close();
  }
});

test('every item 404 index_not_found_exception (auto-create off): blocked, nothing dead-lettered or committed; once the index exists every event is stored once', async () => {
  const h = await startEsHarness({}, { receiver: { autoCreateIndex: false } });
  try {
    const records = makeRecords(6);
    const stats = sinkStats(h.stats, 'es');
    const { cursor, done } = h.run(records, { drive: false });
    assert.equal(await nextWait(h, done), MAX_BACKOFF);
    assert.equal(h.receiver.documents.size, 0);
    assert.ok(h.receiver.bulkRequests[0]!.statuses.every((s) => s === 404));
    assert.equal(h.deadLetter.records.length, 0, 'nothing dead-lettered');
    assert.deepEqual(cursor.commits, []);
    assert.match(
      stats.lastError ?? '',
      /^6 of 6 items refused by the cluster's set-up: 6× 404 index_not_found_exception on index \[wirety-audit-2025\.05\.23\]: the index does not exist/,
    );
    assert.equal(stats.retries.blocked, 1);

    h.receiver.createIndex(INDEX);
    await h.clock.advance(MAX_BACKOFF);
    await done;
    assert.deepEqual(storedIds(h.receiver), ids(records));
    for (const r of records) assert.equal(h.receiver.sendCount(r.id), 2);
    assert.equal(stats.delivered, 6);
    assert.equal(stats.blockedSinceMs, undefined);
    assert.deepEqual(cursor.commits.at(-1), 6);
  } finally {
    await h.close();
  }
});

test('every _bulk request asks for filter_path=errors,items.*._id,items.*.status,items.*.error, and the trimmed reply is read right', async () => {
  const h = await startEsHarness({ pipeline: 'enrich' });
  try {
    const records = makeRecords(5);
    h.receiver.scriptItems((_doc, i, n) => (n === 0 && i === 1 ? 429 : n === 0 && i === 3 ? 400 : undefined));
    await h.run(records).done;
    assert.equal(h.receiver.bulkRequests.length, 2);
    for (const request of h.receiver.bulkRequests) {
      assert.equal(request.filterPath, 'errors,items.*._id,items.*.status,items.*.error');
      assert.equal(request.pipeline, 'enrich');
    }
    assert.deepEqual(
      h.receiver.bulkRequests[1]!.items.map((i) => i.action.id),
      [records[1]!.id],
    );
    assert.deepEqual(
      h.deadLetter.records.map((d) => d.event_id),
      [records[3]!.id],
    );
    assert.equal(sinkStats(h.stats, 'es').delivered, 4);
  } finally {
    await h.close();
  }
});

test('a bulk reply longer than the read limit: the batch is halved until replies fit; it ends, every event created once, nothing dead-lettered', async () => {
  // ~45 bytes per stored item and ~300 per 409 (already stored) item: 64 items cannot fit in 1000.
  const h = await startEsHarness({}, { maxBodyBytes: 1000 });
  try {
    const records = makeRecords(64);
    const { cursor, done } = h.run(records);
    await done; // driveClock fails the test if the loop keeps waiting (an endless retry)
    const sizes = h.receiver.bulkRequests.map((r) => r.items.length);
    assert.equal(sizes[0], 64);
    assert.ok(
      sizes.slice(1).every((n) => n < 64),
      'the batch is never sent whole again',
    );
    assert.deepEqual(storedIds(h.receiver), ids(records));
    const created = creations(h.receiver);
    for (const r of records) assert.equal(created.get(r.id), 1, `${r.id} created exactly once`);
    assert.equal(h.deadLetter.records.length, 0);
    const stats = sinkStats(h.stats, 'es');
    assert.equal(stats.delivered, 64);
    assert.ok((stats.retries.split ?? 0) >= 1);
    assert.deepEqual(cursor.commits.at(-1), 64);
  } finally {
    await h.close();
  }
});
