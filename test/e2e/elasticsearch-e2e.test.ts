/**
 * The Elasticsearch/OpenSearch sink through the built CLI, against the faithful `_bulk` receiver:
 * examples/wirety-server.log stored once per event under `_id` = event id with op `create`, the
 * document intact plus `@timestamp` (the event's time, UTC) and `wirety_ship`, the daily index named
 * from the event's UTC date; API-key auth that never leaks to stderr; data streams; a per-item mix
 * of 429s and 400s (retried / dead-lettered one by one); a crash after ES stored a batch but before
 * it answered (the restart's resend is a 409 = delivered, never a duplicate); gzip request bodies.
 * An index that cannot be auto-created (every item 404: events kept, sink blocked, exit 75, the
 * next run after the fix delivers them all) is tested on the fake clock in
 * test/pipeline/outages.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readExampleLog } from '../helpers/example-log.js';
import { startBulkReceiver, type BulkReceiver } from '../receivers/bulk-receiver.js';
import { runCli, startCli, type CliResult } from '../helpers/run-cli.js';
import { deadLetters, summaryOf } from '../helpers/e2e-corpus.js';

/** A base64 "id:key" that cannot appear on stderr by accident. */
const API_KEY = 'd2lyZXR5LWUyZS1rZXktaWQ6UzNjcjN0LUFQSS1rZXktN2Y0Yw==';
/** UTC+14: a shipper that used local time would put the 2025-05-23 events in 2025.05.24. */
const FAR_TZ = 'Pacific/Kiritimati';

interface Doc extends Record<string, unknown> {
  readonly '@timestamp': string;
  readonly wirety_ship: { readonly event_id: string; readonly seq: number; readonly source: string };
}

let input: Buffer;
let validLines: string[];
let dir: string;
const receivers: BulkReceiver[] = [];

before(async () => {
  ({ input, validLines } = await readExampleLog());
  dir = await mkdtemp(path.join(os.tmpdir(), 'ws-e2e-es-'));
});
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

async function receiver(options: Parameters<typeof startBulkReceiver>[0] = {}): Promise<BulkReceiver> {
  const r = await startBulkReceiver(options);
  receivers.push(r);
  return r;
}

/** Common flags: data dir and dead-letter file inside this test's temp dir. */
const paths = (name: string) => ({
  dataDir: path.join(dir, `${name}-data`),
  deadLetter: path.join(dir, `${name}-dead.ndjson`),
});
const baseArgs = (name: string, url: string, extra: string[] = []) => [
  '--elasticsearch',
  url,
  '--data-dir',
  paths(name).dataDir,
  '--dead-letter',
  paths(name).deadLetter,
  ...extra,
];
const env = { WIRETY_SHIP_ES_API_KEY: API_KEY, TZ: FAR_TZ };

const journalId = async (name: string) =>
  (JSON.parse(await readFile(path.join(paths(name).dataDir, 'meta.json'), 'utf8')) as { journalId: string })
    .journalId;

/** Documents by seq (= input order of the valid lines), each with the key it was stored under. */
const storedBySeq = (r: BulkReceiver) =>
  [...r.documents.entries()]
    .map(([key, doc]) => ({ key, doc: doc as Doc }))
    .sort((a, b) => a.doc.wirety_ship.seq - b.doc.wirety_ship.seq);

const utcDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10).replaceAll('-', '.');

test('API key + default index: every event once, _id = event id, create, intact document, UTC @timestamp and index', async () => {
  const es = await receiver({ authorization: `ApiKey ${API_KEY}` });
  const result = await runCli(baseArgs('plain', es.url), input, { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.timedOut, false);

  // Auth: every request (the startup check's GET / and each _bulk) carries the key; the receiver
  // answers 401 otherwise, so the documents below could not exist without it.
  assert.ok(
    es.requests.some((q) => q.method === 'GET' && q.url === '/'),
    'startup check ran',
  );
  for (const q of es.requests) assert.equal(q.headers.authorization, `ApiKey ${API_KEY}`);
  assert.ok(!result.stderr.includes(API_KEY), 'the API key never appears on stderr');
  assert.ok(!result.stderr.includes(API_KEY.slice(0, 16)), 'not even partly');
  assert.ok(!result.stdout.toString().includes(API_KEY));
  const bulkRequests = es.requests.filter((q) => q.url.startsWith('/_bulk'));
  assert.ok(bulkRequests.length >= 1);
  for (const q of bulkRequests) {
    assert.equal(q.url, '/_bulk?filter_path=errors,items.*._id,items.*.status,items.*.error');
    assert.equal(q.headers['content-type'], 'application/x-ndjson');
    assert.equal(q.headers['content-encoding'], undefined, 'no gzip unless asked for');
  }

  const id = await journalId('plain');
  const stored = storedBySeq(es);
  assert.equal(stored.length, validLines.length, 'every valid event stored');
  assert.equal(es.sendCounts().size, validLines.length);
  for (const [n, count] of es.sendCounts()) assert.equal(count, 1, `${n} sent once`);
  for (const request of es.bulkRequests) {
    for (const [i, item] of request.items.entries()) {
      assert.equal(item.action.op, 'create', 'op create');
      assert.equal(request.statuses[i], 201);
    }
  }

  for (const [i, { key, doc }] of stored.entries()) {
    const event = JSON.parse(validLines[i]!) as Record<string, unknown> & { time: number };
    const { '@timestamp': timestamp, wirety_ship: meta, ...original } = doc;
    assert.deepEqual(original, event, `doc ${i} holds every original field and value, nothing else`);
    assert.equal(meta.seq, i + 1);
    assert.equal(meta.event_id, `${id}-${meta.seq}`, 'event id = journal id + seq');
    assert.equal(meta.source, event.actor_type === 'agent' ? 'agent' : 'server');
    assert.equal(
      key,
      `wirety-audit-${utcDay(event.time)}/${meta.event_id}`,
      'index from the UTC date, _id = event id',
    );
    assert.match(timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'RFC 3339 UTC');
    assert.equal(Date.parse(timestamp), event.time * 1000, '@timestamp is the event time');
    assert.ok(!timestamp.startsWith('1970'), 'seconds were not read as milliseconds');
  }
  assert.ok(
    stored.every(({ key }) => key.startsWith('wirety-audit-2025.05.23/')),
    `not ${FAR_TZ}'s date`,
  );

  const summary = summaryOf(result.stderr);
  assert.deepEqual(summary.sinks.elasticsearch, { delivered: 45, rejected: 0, retries: {}, pending: 0 });
});

test('--es-data-stream: every document in the data stream, op create, with @timestamp', async () => {
  const stream = 'logs-wirety.audit-default';
  const es = await receiver({ authorization: `ApiKey ${API_KEY}`, dataStreams: [stream] });
  const result = await runCli(baseArgs('stream', es.url, ['--es-data-stream', stream]), input, {
    cwd: dir,
    env,
  });
  assert.equal(result.code, 0, result.stderr);
  // The receiver refuses (item 400) anything but create, and documents without @timestamp.
  const items = es.bulkRequests.flatMap((r) => r.items);
  assert.equal(items.length, validLines.length);
  for (const item of items) {
    assert.equal(item.action.index, stream);
    assert.equal(item.action.op, 'create');
  }
  assert.equal(es.documents.size, validLines.length);
  for (const key of es.documents.keys()) assert.ok(key.startsWith(`${stream}/`), key);
  assert.ok(es.bulkRequests.every((r) => r.statuses.every((s) => s === 201)));
  const dead = await deadLetters(paths('stream').deadLetter);
  assert.equal(dead.filter((d) => d.sink !== undefined).length, 0, 'nothing rejected by the sink');
  assert.equal(summaryOf(result.stderr).sinks.elasticsearch?.delivered, 45);
});

test('per-item mix: 400 items dead-lettered with type, reason and sink; 429 items re-sent and stored once; exit 0', async () => {
  const es = await receiver();
  const refused = validLines.filter((l) => /"action":"peer\.create"/.test(l));
  const throttled = validLines.filter((l) => /"action":"policy\./.test(l));
  assert.ok(refused.length >= 2 && throttled.length >= 2, 'the example has both kinds');
  const throttledOnce = new Set<string>();
  es.scriptItems((doc, _i, _request, action) => {
    const action_ = (doc as { action?: string }).action ?? '';
    if (action_ === 'peer.create') return 400; // mapper_parsing_exception, every time
    if (action_.startsWith('policy.') && !throttledOnce.has(action.id)) {
      throttledOnce.add(action.id);
      return 429; // es_rejected_execution_exception, the first time only
    }
    return undefined; // behave like Elasticsearch
  });

  const result = await runCli(baseArgs('mix', es.url), input, { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);

  const dead = (await deadLetters(paths('mix').deadLetter)).filter((d) => d.sink !== undefined);
  assert.deepEqual(
    dead.map((d) => d.line),
    refused,
    'exactly the 400 items are dead-lettered, once each',
  );
  for (const d of dead) {
    assert.equal(d.sink, 'elasticsearch');
    assert.equal(d.reason, 'rejected');
    assert.match(String(d.detail), /^400 mapper_parsing_exception: failed to parse field \[time\]/);
    assert.equal(typeof d.event_id, 'string');
    assert.equal(es.sendCount(d.event_id as string), 1, 'a permanent refusal is not retried');
  }

  const stored = storedBySeq(es).map(({ doc }) => doc);
  assert.equal(stored.length, validLines.length - refused.length);
  const storedIds = new Set(stored.map((d) => d.wirety_ship.event_id));
  for (const doc of stored) {
    const sent = es.sendCount(doc.wirety_ship.event_id);
    assert.equal(sent, String(doc.action).startsWith('policy.') ? 2 : 1, `${String(doc.action)} send count`);
  }
  assert.equal(throttledOnce.size, throttled.length);
  for (const d of dead) assert.ok(!storedIds.has(d.event_id as string));
  // Resends carry only the throttled items, never the whole batch again.
  const seen = new Set<string>();
  const resent: string[] = [];
  for (const item of es.bulkRequests.flatMap((r) => r.items)) {
    if (seen.has(item.action.id)) resent.push(String((item.doc as { action: string }).action));
    seen.add(item.action.id);
  }
  assert.equal(resent.length, throttled.length);
  assert.ok(
    resent.every((a) => a.startsWith('policy.')),
    resent.join(),
  );

  const summary = summaryOf(result.stderr);
  assert.equal(summary.sinks.elasticsearch?.delivered, validLines.length - refused.length);
  assert.equal(summary.sinks.elasticsearch?.rejected, refused.length);
  assert.equal(summary.sinks.elasticsearch?.pending, 0);
});

test('restart after ES stored a batch but never answered: the resend is a 409 = delivered, no duplicates', async () => {
  const es = await receiver();
  const proxy = await startHoldingProxy(es.url);
  try {
    proxy.hold = true;
    const first = startCli(baseArgs('crash', proxy.url), { cwd: dir, env, timeoutMs: 20_000 });
    first.child.stdin.end(input);
    // ES has stored every document; the replies are withheld.
    await proxy.whenHeld(() => es.documents.size === validLines.length);
    first.child.kill('SIGKILL');
    const crashed = await first.result;
    assert.equal(crashed.signal, 'SIGKILL');
    const firstRun = es.bulkRequests.length;

    proxy.hold = false;
    const second = await runCli(baseArgs('crash', proxy.url), '', { cwd: dir, env });
    assert.equal(second.code, 0, second.stderr);
    const resent = es.bulkRequests.slice(firstRun).flatMap((r) => r.statuses);
    assert.equal(resent.length, validLines.length, 'the restart sent every uncommitted event again');
    assert.ok(
      resent.every((s) => s === 409),
      'each came back 409 version_conflict_engine_exception',
    );
    assert.equal(es.documents.size, validLines.length, 'no duplicate documents');
    for (const [, count] of es.sendCounts()) assert.equal(count, 2);
    const summary = summaryOf(second.stderr);
    assert.deepEqual(summary.sinks.elasticsearch, { delivered: 45, rejected: 0, retries: {}, pending: 0 });
    const dead = (await deadLetters(paths('crash').deadLetter)).filter((d) => d.sink !== undefined);
    assert.equal(dead.length, 0, 'a 409 is never a rejection');

    // Everything is committed now: a third start sends nothing.
    const before = es.bulkRequests.length;
    const third = await runCli(baseArgs('crash', proxy.url), '', { cwd: dir, env });
    assert.equal(third.code, 0, third.stderr);
    assert.equal(es.bulkRequests.length, before);
  } finally {
    await proxy.close();
  }
});

test('--gzip: bodies are gzip-encoded (Content-Encoding: gzip) and decode to exactly the NDJSON stored', async () => {
  const es = await receiver({ authorization: `ApiKey ${API_KEY}` });
  const result: CliResult = await runCli(baseArgs('gzip', es.url, ['--gzip']), input, { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);
  const bulk = es.requests.filter((q) => q.url.startsWith('/_bulk'));
  assert.ok(bulk.length >= 1);
  for (const q of bulk) {
    assert.equal(q.headers['content-encoding'], 'gzip');
    assert.deepEqual([...q.rawBody.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic on the wire');
    assert.ok(q.rawBody.length < q.body.length, 'actually compressed');
    const text = gunzipSync(q.rawBody).toString('utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length % 2, 0);
    for (let i = 1; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i - 1]!) as { create: { _index: string; _id: string } };
      const { _index, _id } = action.create;
      assert.deepEqual(
        JSON.parse(lines[i]!),
        es.documents.get(`${_index}/${_id}`),
        'decodes to the stored doc',
      );
    }
  }
  assert.equal(es.documents.size, validLines.length);
  assert.equal(summaryOf(result.stderr).sinks.elasticsearch?.delivered, 45);
});

/**
 * An HTTP proxy in front of a receiver. With `hold` on, a `_bulk` request is forwarded (so the
 * receiver stores its documents) but the reply is withheld: the crash-before-reply window.
 */
async function startHoldingProxy(target: string): Promise<{
  url: string;
  hold: boolean;
  /** Resolves once a reply has been withheld while `done()` holds (checked at each withheld reply). */
  whenHeld(done: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const state = { hold: false };
  let waiters: { done: () => boolean; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => {
          if (state.hold && (req.url ?? '').includes('_bulk')) {
            const ready = waiters.filter((w) => w.done());
            waiters = waiters.filter((w) => !ready.includes(w));
            for (const w of ready) w.resolve();
            return; // never answer
          }
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hold() {
      return state.hold;
    },
    set hold(value: boolean) {
      state.hold = value;
    },
    whenHeld: (done, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no withheld reply met the condition')), timeoutMs);
        waiters.push({
          done,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('an audit line with a repeated key (zerolog does not de-duplicate) is stored, not refused', async () => {
  const es = await receiver();
  const line =
    '{"level":"info","log_type":"audit","time":1748000077,"actor_id":"alice","actor_email":"alice@example.com",' +
    '"remote_ip":"10.0.0.5","action":"peer.create","network_id":"net-abc123","peer_id":"peer-1",' +
    '"peer_name":"laptop","peer_name":"laptop-2","message":"audit"}';
  const result = await runCli(baseArgs('dup', es.url), line + '\n', { cwd: dir, env });
  assert.equal(result.code, 0, result.stderr);
  const dead = (await deadLetters(paths('dup').deadLetter).catch(() => [])).filter(
    (d) => d.sink !== undefined,
  );
  assert.deepEqual(
    dead.map((d) => d.detail),
    [],
    'not dead-lettered',
  );
  assert.equal(es.documents.size, 1, 'stored');
  const [doc] = es.documents.values();
  assert.equal(doc?.peer_name, (JSON.parse(line) as { peer_name: string }).peer_name);
});

test('a restart with nothing to deliver: no "cannot reach" warning from the startup check it cut short', async () => {
  const es = await receiver();
  es.setDefaultReply(() => ({ hang: true })); // GET / is still unanswered when wirety-ship is done
  const r = await runCli(baseArgs('idle', es.url), '', { env });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /cannot reach|UND_ERR/, 'says nothing about a check it cut itself');
});
