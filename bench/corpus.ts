/**
 * A deterministic, wirety-shaped input corpus for benchmarks and proportion tests.
 *
 * Per line (seeded PRNG: the same count and seed always give the same lines):
 * - 85 % valid audit events over every catalogue action, weighted like real output (agents'
 *   tunnel and sync events dominate), ≈0.5 % of them an action the catalogue does not know (the
 *   real server's "user.create"); times never decrease;
 * - 12 % other JSON: the agent's `"event":"tunnel.connected"` lines, request logs with another
 *   log_type, zerolog debug and warn lines with no log_type;
 * - 3 % broken: half truncated audit lines (not_json), half audit lines with a wrong type or a
 *   missing field (invalid).
 * Nothing held grows with `count`; writeCorpus streams with backpressure.
 *
 * Script: node --import tsx bench/corpus.ts OUT_PATH COUNT [SEED]
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { CATALOGUE, type ActionSpec } from '../src/audit/catalogue.js';
import { seededRandom } from '../test/helpers/seeded-random.js';

/** What was generated, counted on the fly so writeCorpus needs no classifier. */
export interface CorpusTally {
  valid: number;
  unknownAction: number;
  other: number;
  truncated: number;
  wrongType: number;
}

/** Relative frequency of each action among valid lines; server actions not listed weigh 1. */
const WEIGHTS: Record<string, number> = {
  'tunnel.connected': 60,
  'tunnel.disconnected': 50,
  'config.sync': 35,
  'firewall.sync': 30,
  'dns.update': 20,
  'peer.rename': 2,
  'auth.login': 8,
};
const ACTIONS: readonly ActionSpec[] = CATALOGUE;
const CUMULATIVE: readonly number[] = (() => {
  let sum = 0;
  return ACTIONS.map((spec) => (sum += WEIGHTS[spec.action] ?? 1));
})();
const TOTAL_WEIGHT = CUMULATIVE[CUMULATIVE.length - 1] ?? 1;
const TAIL = ',"message":"audit"}';

interface State {
  rand: () => number;
  time: number;
  pools: Pools;
}

type Pools = ReturnType<typeof createPools>;

function createPools(rand: () => number) {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const pubkey = () => Array.from({ length: 43 }, () => b64[Math.floor(rand() * 64)]).join('') + '=';
  const words = [
    'office',
    'laptop',
    'build',
    'db',
    'jump',
    'paris',
    'lyon',
    'dev',
    'ops',
    'edge',
    'nas',
    'ci',
  ];
  const word = () => words[Math.floor(rand() * words.length)] as string;
  const list = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
  const networks = list(8, (i) => ({ id: `net-${hex(6)}`, name: `${word()}-net-${i}` }));
  return {
    uuid,
    users: list(40, (i) => ({ id: uuid(), email: `${word()}.${word()}${i}@example.com` })),
    networks,
    agents: list(12, (i) => ({
      peerId: `peer-jump-${i}`,
      networkId: networks[i % networks.length]?.id ?? '',
    })),
    peerIds: list(300, () => `peer-${hex(8)}`),
    peerNames: list(300, (i) => `${word()}-${word()}-${i}`),
    groupIds: list(40, () => `grp-${hex(8)}`),
    groupNames: list(40, (i) => `${word()}-team-${i}`),
    policyIds: list(30, () => `pol-${hex(8)}`),
    routeIds: list(30, () => `rt-${hex(8)}`),
    domains: list(10, (i) => `${word()}${i}.internal`),
    pubkeys: list(300, pubkey),
    endpoints: list(200, (i) =>
      i % 10 === 0
        ? `[2001:db8:${hex(4)}::${hex(2)}]:51820`
        : `203.0.113.${Math.floor(rand() * 254) + 1}:${40000 + Math.floor(rand() * 20000)}`,
    ),
    clientIps: list(100, (i) =>
      i % 8 === 0 ? `2001:db8::${hex(4)}` : `10.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${i}`,
    ),
  };
}

function pick<T>(s: State, items: readonly T[]): T {
  return items[Math.floor(s.rand() * items.length)] as T;
}

function head(s: State, spec: ActionSpec): string {
  if (spec.source === 'agent') {
    const a = pick(s, s.pools.agents);
    return `{"level":"info","log_type":"audit","time":${s.time},"actor_type":"agent","peer_id":"${a.peerId}","network_id":"${a.networkId}","action":"${spec.action}"`;
  }
  const u = pick(s, s.pools.users);
  return `{"level":"info","log_type":"audit","time":${s.time},"actor_id":"${u.id}","actor_email":"${u.email}","remote_ip":"${pick(s, s.pools.clientIps)}","action":"${spec.action}"`;
}

/** A JSON-encoded value for a catalogue field, realistic by field name. */
function value(s: State, field: string): string {
  const p = s.pools;
  switch (field) {
    case 'network_id':
      return `"${pick(s, p.networks).id}"`;
    case 'network_name':
      return `"${pick(s, p.networks).name}"`;
    case 'peer_id':
      return `"${pick(s, p.peerIds)}"`;
    case 'group_id':
      return `"${pick(s, p.groupIds)}"`;
    case 'group_name':
    case 'policy_name':
      return `"${pick(s, p.groupNames)}"`;
    case 'policy_id':
      return `"${pick(s, p.policyIds)}"`;
    case 'route_id':
      return `"${pick(s, p.routeIds)}"`;
    case 'route_name':
    case 'domain':
      return `"${pick(s, p.domains)}"`;
    case 'target_user_id':
    case 'rule_id':
      return `"${pick(s, p.users).id}"`;
    case 'peer_pubkey':
      return `"${pick(s, p.pubkeys)}"`;
    case 'endpoint':
      return `"${pick(s, p.endpoints)}"`;
    case 'new_interface':
      return `"wg-${Math.floor(s.rand() * 1000)}"`;
    case 'rule_count':
    case 'peer_count':
      return String(Math.floor(s.rand() * 300));
    case 'handshake_at':
      return String(s.time - Math.floor(s.rand() * 15));
    case 'last_handshake':
      return String(s.time - 180 - Math.floor(s.rand() * 15));
    case 'session_duration':
      return String(Math.floor(s.rand() * 86_400_000_000) * 1000);
    default:
      return `"${pick(s, p.peerNames)}"`;
  }
}

function auditLine(s: State, spec: ActionSpec): string {
  let line = head(s, spec);
  for (const f of spec.fields) line += `,"${f.name}":${value(s, f.name)}`;
  return line + TAIL;
}

function randomAction(s: State): ActionSpec {
  const r = s.rand() * TOTAL_WEIGHT;
  let i = 0;
  while ((CUMULATIVE[i] as number) <= r) i++;
  return ACTIONS[i] as ActionSpec;
}

function otherLine(s: State): string {
  const r = s.rand();
  const p = s.pools;
  if (r < 0.4) {
    return `{"level":"info","event":"tunnel.connected","peer_name":"${pick(s, p.peerNames)}","peer_pubkey":"${pick(s, p.pubkeys)}","endpoint":"${pick(s, p.endpoints)}","handshake_at":${s.time - 3},"time":${s.time},"message":"WireGuard tunnel connected"}`;
  }
  if (r < 0.7) {
    return `{"level":"info","log_type":"access","method":"GET","path":"/api/v1/networks/${pick(s, p.networks).id}/peers","status":200,"latency_ms":${(s.rand() * 20).toFixed(3)},"client_ip":"${pick(s, p.clientIps)}","time":${s.time},"message":"request"}`;
  }
  if (r < 0.9) {
    return `{"level":"debug","peer_id":"${pick(s, p.agents).peerId}","hostname":"${pick(s, p.peerNames)}","uptime_s":${Math.floor(s.rand() * 1e6)},"time":${s.time},"message":"heartbeat sent"}`;
  }
  return `{"level":"warn","error":"websocket: close 1006 (abnormal closure): unexpected EOF","retry_in":"5s","time":${s.time},"message":"connection to server lost, reconnecting"}`;
}

const BY_NAME = new Map(CATALOGUE.map((spec) => [spec.action, spec]));
const spec = (action: string) => BY_NAME.get(action) as ActionSpec;

/** Each variant breaks the schema in a different, realistic way. */
function wrongTypeLine(s: State): string {
  const r = s.rand();
  if (r < 0.3) return auditLine(s, randomAction(s)).replace(`"time":${s.time}`, `"time":"${s.time}"`);
  if (r < 0.5) return auditLine(s, spec('firewall.sync')).replace(/"rule_count":(\d+)/, '"rule_count":"$1"');
  if (r < 0.7) return auditLine(s, spec('peer.create')).replace(/,"peer_id":"[^"]*"/, '');
  if (r < 0.85)
    return auditLine(s, spec('tunnel.connected')).replace(/"handshake_at":(\d+)/, '"handshake_at":$1.5');
  return auditLine(s, spec('tunnel.disconnected')).replace(
    /"session_duration":\d+/,
    '"session_duration":"1h0m0s"',
  );
}

export function* corpusLines(count: number, seed = 1, tally?: CorpusTally): Generator<string> {
  const rand = seededRandom(seed);
  const s: State = { rand, time: 1_748_000_000, pools: createPools(rand) };
  const t = tally ?? { valid: 0, unknownAction: 0, other: 0, truncated: 0, wrongType: 0 };
  for (let i = 0; i < count; i++) {
    if (rand() < 0.3) s.time += 1;
    const r = rand();
    if (r < 0.85) {
      if (rand() < 0.005) {
        t.unknownAction++;
        const u = pick(s, s.pools.users);
        yield `${head(s, { ...spec('user.update'), action: 'user.create' })},"target_user_id":"${s.pools.uuid()}","target_email":"${u.email}","target_role":"user"${TAIL}`;
      } else {
        t.valid++;
        yield auditLine(s, randomAction(s));
      }
    } else if (r < 0.97) {
      t.other++;
      yield otherLine(s);
    } else if (r < 0.985) {
      t.truncated++;
      const full = auditLine(s, randomAction(s));
      yield full.slice(0, 20 + Math.floor(rand() * (full.length - 21)));
    } else {
      t.wrongType++;
      yield wrongTypeLine(s);
    }
  }
}

/**
 * Streams `count` newline-terminated corpus lines to `path` with bounded memory (pipeline
 * honours the file stream's backpressure). `audit` counts the valid audit events written:
 * the number every sink must end up receiving.
 */
export async function writeCorpus(
  path: string,
  count: number,
  seed = 1,
): Promise<{ bytes: number; lines: number; audit: number }> {
  const tally: CorpusTally = { valid: 0, unknownAction: 0, other: 0, truncated: 0, wrongType: 0 };
  let bytes = 0;
  let lines = 0;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const line of corpusLines(count, seed, tally)) {
      chunk += line + '\n';
      lines++;
      if (chunk.length >= 64 * 1024) {
        bytes += Buffer.byteLength(chunk);
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') {
      bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), createWriteStream(path));
  return { bytes, lines, audit: tally.valid + tally.unknownAction };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, countArg, seedArg] = process.argv.slice(2);
  const count = Number(countArg);
  const seed = seedArg === undefined ? 1 : Number(seedArg);
  if (out === undefined || !Number.isSafeInteger(count) || count < 0 || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: node --import tsx bench/corpus.ts OUT_PATH COUNT [SEED]\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ path: out, ...(await writeCorpus(out, count, seed)) })}\n`);
}
