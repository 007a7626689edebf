/**
 * `wirety-ship verify` end to end in-process (runVerify): export files, the direct queries against
 * node:http stand-ins of Elasticsearch and Loki, exit codes, keys, secrets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { runVerify } from '../../src/commands/verify.js';
import { chainJournal, es, JOURNAL, KEY2_HEX, KEY_HEX, loki, splunk, T0 } from './synthetic.js';
import { startFakeElasticsearch, startFakeLoki, type LokiEntry } from './fake-sinks.js';

const dir = mkdtempSync(path.join(tmpdir(), 'verify-command-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const keyFile = file('key', KEY_HEX + '\n');

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString('utf8');
        done();
      },
    }),
    text: () => text,
  };
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}, now?: number) {
  const stdout = capture();
  const stderr = capture();
  const code = await runVerify(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    ...(now ? { now: () => now } : {}),
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const journal = chainJournal({ last: 1500, skipped: [[700, 709]] });
const checkpoint = journal.checkpoint();

describe('export files', () => {
  test('an intact Elasticsearch export: exit 0 and the summary line', async () => {
    const from = file(
      'es.ndjson',
      [...journal.events.map((e) => es.hit(e)), es.checkpoint(checkpoint)].join('\n') + '\n',
    );
    const out = await run(['--key-file', keyFile, '--from', from, '--format', 'elasticsearch']);
    assert.equal(out.stderr, '');
    assert.equal(out.code, 0);
    assert.equal(
      out.stdout,
      `all 1,490 events from journal ${JOURNAL} seq 1–1,500 present and unaltered\n` +
        `  verified through seq 1,500 at ${checkpoint.time} (checkpoint by key ${checkpoint.key_id})\n` +
        'OK: 1,491 records read, 1 journal, nothing unexplained\n',
    );
  });

  test('problems: exit 1, one line each; the key may come from the variable', async () => {
    const events = journal.events
      .filter((e) => e.seq < 1200 || e.seq > 1214)
      .map((e) => (e.seq === 1002 ? { ...e, line: e.line.replace('u-1002', 'mallory') } : e));
    const from = file('loki.jsonl', events.map(loki.line).join('\n'));
    const out = await run(['--from', from, '--format', 'loki'], { WIRETY_SHIP_INTEGRITY_KEY: KEY_HEX });
    assert.equal(out.code, 1);
    assert.equal(
      out.stdout,
      `ALTERED   seq 1,002 (event_id ${JOURNAL}-1002): content does not match its chain value\n` +
        'MISSING   seq 1,200–1,214 (15 events, between 2026-11-30T10:19:59Z and 10:20:15Z)\n' +
        `journal ${JOURNAL}: 1,475 events seq 1–1,500: 2 problems\n` +
        '  no checkpoint seen: events are covered only by the chain (a tail cut off after the last event would not show)\n' +
        'FAILED: 2 problems in 1,475 records read\n',
    );
  });

  test('--json: one object per line, then the result; a dead-letter file explains its seq', async () => {
    const events = journal.events.filter((e) => e.seq !== 12);
    const from = file('splunk.json', [...events.map(splunk.line), splunk.checkpoint(checkpoint)].join('\n'));
    const dead = file(
      'dead.ndjson',
      JSON.stringify({
        reason: 'rejected',
        detail: 'mapper_parsing_exception',
        source: 'stdin',
        sink: 'splunk',
        event_id: `${JOURNAL}-12`,
        seq: 12,
        line: '{}',
        line_bytes: 2,
        truncated: false,
      }) + '\n',
    );
    const out = await run([
      '--key-file',
      keyFile,
      '--from',
      from,
      '--format',
      'splunk',
      '--dead-letter',
      dead,
      '--json',
    ]);
    assert.equal(out.code, 0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string });
    assert.deepEqual(
      lines.map((l) => l.kind),
      ['explained', 'journal', 'result'],
    );
    assert.deepEqual(lines[0], {
      kind: 'explained',
      journal: JOURNAL,
      seq: 12,
      reason: 'rejected',
      detail: 'mapper_parsing_exception',
      eventId: `${JOURNAL}-12`,
      sink: 'splunk',
    });
    assert.deepEqual(lines[2], {
      kind: 'result',
      ok: true,
      problems: 0,
      explained: 1,
      journals: 1,
      records: 1490,
    });
  });

  test('a checkpoint file (the witness copy) catches a tail cut off in the sink', async () => {
    const from = file(
      'cut.ndjson',
      journal.events
        .filter((e) => e.seq <= 1490)
        .map((e) => es.hit(e))
        .join('\n'),
    );
    const witness = file(
      'checkpoints.ndjson',
      JSON.stringify(journal.checkpoint(1000)) + '\n' + JSON.stringify(checkpoint) + '\n',
    );
    const out = await run([
      '--key-file',
      keyFile,
      '--from',
      from,
      '--format',
      'elasticsearch',
      '--checkpoints',
      witness,
    ]);
    assert.equal(out.code, 1);
    assert.match(
      out.stdout,
      /^MISSING {3}seq 1,491–1,500 \(10 events, after 2026-11-30T10:24:50Z; the checkpoint of .* says the journal reached seq 1,500\)$/m,
    );
  });

  test('the checkpoint file names the checkpoint seqs: deletions next to them give exact ranges', async () => {
    const shipped = chainJournal({ last: 200, checkpointSeqs: [50, 100, 150] });
    const from = file(
      'around-checkpoints.ndjson',
      shipped.events
        .filter((e) => e.seq !== 49 && e.seq !== 51 && e.seq <= 149)
        .map((e) => es.hit(e))
        .join('\n'),
    );
    const witness = file(
      'checkpoints-seqs.ndjson',
      [...shipped.checkpoints(), shipped.checkpoint()].map((c) => JSON.stringify(c) + '\n').join(''),
    );
    const args = ['--key-file', keyFile, '--from', from, '--format', 'elasticsearch'];
    const out = await run([...args, '--checkpoints', witness]);
    assert.equal(out.code, 1);
    const missing = out.stdout.split('\n').filter((l) => l.startsWith('MISSING'));
    assert.equal(missing.length, 3, out.stdout);
    assert.match(missing[0]!, /^MISSING {3}seq 49 \(1 event,/);
    assert.match(missing[1]!, /^MISSING {3}seq 51 \(1 event,/);
    assert.match(missing[2]!, /^MISSING {3}seq 151–200 \(50 events,/);
    // Without the checkpoints: one range over seq 50, and the cut tail cannot show.
    const alone = await run(args);
    const lines = alone.stdout.split('\n').filter((l) => l.startsWith('MISSING'));
    assert.equal(lines.length, 1, alone.stdout);
    assert.match(lines[0]!, /^MISSING {3}seq 49–51 \(3 events,/);
  });

  test('usage and I/O errors have their own exit codes, and never echo a key', async () => {
    const badKey = file('bad-key', 'correct horse battery staple');
    const bad = await run(['--key-file', badKey, '--from', keyFile, '--format', 'loki']);
    assert.equal(bad.code, 78);
    assert.doesNotMatch(bad.stderr, /horse/);
    assert.equal((await run(['--from', keyFile, '--format', 'loki'])).code, 78, 'no key');
    assert.equal((await run(['--key-file', keyFile, '--from', keyFile])).code, 78, 'no format');
    assert.equal((await run(['--key-file', keyFile, '--from', keyFile, '--format', 'xml'])).code, 78);
    assert.equal(
      (await run(['--key-file', keyFile, '--loki', 'http://127.0.0.1:1', '--query', '{a="b"}'])).code,
      78,
      'loki needs --since',
    );
    const missingFile = await run([
      '--key-file',
      keyFile,
      '--from',
      path.join(dir, 'nope'),
      '--format',
      'loki',
    ]);
    assert.equal(missingFile.code, 74);
    assert.match(missingFile.stderr, /ENOENT/);
  });
});

describe('querying Elasticsearch: point in time + search_after', () => {
  test('pages through every document with the newest pit id, reads the checkpoint index, closes both', async () => {
    const docs = journal.events.map((e) => {
      const hit = JSON.parse(es.hit(e)) as { _id: string; _source: Record<string, unknown> };
      return { _id: hit._id, _source: hit._source };
    });
    const cp = JSON.parse(es.checkpoint(checkpoint)) as { _id: string; _source: Record<string, unknown> };
    const fake = await startFakeElasticsearch({
      'wirety-audit-2026.11.30': docs.filter((d) => (d._source.wirety_ship as { seq: number }).seq !== 321),
      'wirety-ship-checkpoints': [{ _id: cp._id, _source: cp._source }],
    });
    try {
      const password = 's3cret-Pa55';
      const out = await run([
        '--key-file',
        keyFile,
        '--elasticsearch',
        fake.url,
        '--index',
        'wirety-audit-*',
        '--page-size',
        '100',
        '--user',
        'auditor',
        '--password-file',
        file('password', password + '\n'),
      ]);
      assert.equal(out.code, 1, out.stderr);
      assert.match(
        out.stdout,
        /^MISSING {3}seq 321 \(1 event, between 2026-11-30T10:05:20Z and 10:05:22Z\)$/m,
      );
      assert.match(out.stdout, /1,489 events seq 1–1,500: 1 problem/);
      assert.match(out.stdout, /verified through seq 1,500/);
      assert.deepEqual(fake.opened, ['pit-1', 'pit-2']);
      assert.deepEqual(fake.closed, ['pit-1', 'pit-2']);
      // 1,489 documents in pages of 100: 15 pages, each naming the pit id the previous answer gave.
      assert.equal(fake.searchedWith.filter((id) => id.startsWith('pit-1')).length, 15);
      assert.deepEqual(fake.searchedWith.slice(0, 3), ['pit-1', 'pit-1~1', 'pit-1~2']);
      assert.ok(
        fake.authorizations.every(
          (a) => a === `Basic ${Buffer.from(`auditor:${password}`).toString('base64')}`,
        ),
      );
      assert.doesNotMatch(out.stdout + out.stderr, new RegExp(password));
    } finally {
      await fake.close();
    }
  });

  test('--since becomes a range on @timestamp; a refused query is exit 74 and the point in time is still closed', async () => {
    const docs = journal.events.map(
      (e) => JSON.parse(es.hit(e)) as { _id: string; _source: Record<string, unknown> },
    );
    const fake = await startFakeElasticsearch({ 'wirety-audit-x': docs });
    try {
      const now = (T0 + 1500) * 1000;
      const windowed = await run(
        ['--key-file', keyFile, '--elasticsearch', fake.url, '--index', 'wirety-audit-x', '--since', '100s'],
        {},
        now,
      );
      assert.equal(windowed.code, 0, windowed.stdout + windowed.stderr);
      assert.match(
        windowed.stdout,
        /NOTE {6}journal j-3f9c0000: the read window starts inside the chain, at seq 1,400/,
      );
      assert.match(windowed.stdout, /all 101 events from journal j-3f9c0000 seq 1,400–1,500/);
      const refused = await run([
        '--key-file',
        keyFile,
        '--elasticsearch',
        fake.url + '/nope',
        '--index',
        'wirety-audit-x',
      ]);
      assert.equal(refused.code, 74);
      assert.match(refused.stderr, /HTTP 400/);
    } finally {
      await fake.close();
    }
    assert.deepEqual(fake.closed, fake.opened);
  });
});

describe('querying Loki: query_range paged by time', () => {
  // Five events per timestamp, so page boundaries fall inside a group of equal timestamps.
  const entries: LokiEntry[] = journal.events.map((e) => ({
    ns: BigInt(T0 + Math.floor(e.seq / 5)) * 1_000_000_000n,
    line: e.line,
    labels: { job: 'wirety' },
    metadata: { event_id: e.id, seq: String(e.seq), journal: e.journal, chain: e.chain, chain_prev: e.prev },
  }));
  entries.push({
    ns: BigInt(T0 + 400) * 1_000_000_000n,
    line: JSON.stringify(checkpoint),
    labels: { job: 'wirety', wirety_ship_kind: 'checkpoint' },
    metadata: { event_id: `checkpoint-${JOURNAL}-1500` },
  });
  const now = (T0 + 1000) * 1000;

  for (const [pageSize, categorize] of [
    [7, false],
    [3, true],
    [1000, false],
  ] as const) {
    test(`page size ${pageSize}${categorize ? ', categorised labels' : ''}: every entry once, none lost`, async () => {
      const fake = await startFakeLoki(entries, { categorize });
      try {
        const out = await run(
          [
            '--key-file',
            keyFile,
            '--loki',
            fake.url,
            '--query',
            '{job="wirety"}',
            '--since',
            '1h',
            '--page-size',
            String(pageSize),
            '--tenant',
            'audit',
            '--json',
          ],
          {},
          now,
        );
        assert.equal(out.code, 0, out.stdout + out.stderr);
        const lines = out.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.deepEqual(
          lines.map((l) => l.kind),
          ['journal', 'result'],
        );
        assert.equal((lines[0]!.summary as { duplicates: number }).duplicates, 0, 'nothing read twice');
        assert.equal((lines[0]!.summary as { events: number }).events, 1490);
        assert.ok(fake.requests.every((r) => r.tenant === 'audit'));
        if (pageSize === 3)
          assert.ok(
            fake.requests.some((r) => r.limit > 3),
            'a page of one timestamp doubles the limit',
          );
      } finally {
        await fake.close();
      }
    });
  }

  test('a deleted entry inside a group of equal timestamps is MISSING', async () => {
    const fake = await startFakeLoki(entries.filter((e) => !e.line.includes('"u-502"')));
    try {
      const out = await run(
        [
          '--key-file',
          keyFile,
          '--loki',
          fake.url,
          '--query',
          '{job="wirety"}',
          '--since',
          '1h',
          '--page-size',
          '4',
        ],
        {},
        now,
      );
      assert.equal(out.code, 1);
      assert.match(
        out.stdout,
        /^MISSING {3}seq 502 \(1 event, between 2026-11-30T10:08:21Z and 10:08:23Z\)$/m,
      );
    } finally {
      await fake.close();
    }
  });
});

test('rotation: both key files given, the chain links across it', async () => {
  const rotated = chainJournal({
    last: 50,
    key: (await import('./synthetic.js')).KEY2,
    rotation: { atSeq: 30, oldKey: (await import('./synthetic.js')).KEY },
  });
  const from = file('rotated.jsonl', rotated.events.map(loki.line).join('\n'));
  const out = await run([
    '--key-file',
    keyFile,
    '--key-file',
    file('key2', KEY2_HEX),
    '--from',
    from,
    '--format',
    'loki',
  ]);
  assert.equal(out.code, 0, out.stdout);
  assert.match(
    out.stdout,
    /all 50 events from journal j-3f9c0000 seq 1–50 present and unaltered \(1 key rotation linked\)/,
  );
});
