/**
 * Runs `wirety-ship check` in process (src/commands/check-log.ts) with in-memory stdin, stdout and
 * stderr, the way cli.ts runs it with `process`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCheckLog } from '../../src/commands/check-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The example log, relative to the repository root (the name README.md shows). */
export const EXAMPLE = 'examples/wirety-server.log';

/** The output README.md's "Checking a log offline" section shows for the example log. */
export function documentedOutput(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = /^## Checking a log offline[^\n]*\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section, 'README.md has no "Checking a log offline" section');
  const shown = /^\$ wirety-ship check examples\/wirety-server\.log\n([\s\S]*?)^\$ echo \$\?\n1\n```$/m.exec(
    section,
  );
  assert.ok(shown?.[1], 'the section shows `wirety-ship check examples/wirety-server.log` and its exit code');
  return shown[1];
}

export interface CheckResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCheck(args: readonly string[], stdin: string | Buffer = ''): Promise<CheckResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCheckLog(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** The JSON report (`--json`) of a run. */
export async function runCheckJson(args: readonly string[], stdin: string | Buffer = '') {
  const result = await runCheck(['--json', ...args], stdin);
  return { ...result, report: JSON.parse(result.stdout) as CheckReport };
}

export interface CheckReport {
  ok: boolean;
  inputs: string[];
  lines: number;
  verdicts: { valid: number; invalid: number; not_json: number; not_audit: number; empty: number };
  invalid_reasons: Record<string, number>;
  unknown_actions: {
    lines: number;
    actions: { action: string; count: number; first: { source: string; line: number } }[];
  };
  findings_total: number;
  findings: {
    source: string;
    line: number;
    byte_offset: number;
    verdict: string;
    reason: string;
    path?: string;
    detail: string;
    action?: string;
  }[];
  settings: Record<string, unknown>;
}

/** Audit lines from the spec (docs/wirety-audit-logs.md), one per kind the tests need. */
export const LINES = {
  server:
    '{"level":"info","log_type":"audit","time":1748000000,"action":"peer.create","actor_id":"u1","actor_email":"a@b.c","remote_ip":"10.0.0.1","network_id":"n1","peer_id":"p1","peer_name":"web","message":"audit"}',
  agent:
    '{"level":"info","log_type":"audit","time":1748000001,"action":"firewall.sync","actor_type":"agent","peer_id":"p1","network_id":"n1","rule_count":12,"message":"audit"}',
  wrongType:
    '{"level":"info","log_type":"audit","time":1748000001,"action":"firewall.sync","actor_type":"agent","peer_id":"p1","network_id":"n1","rule_count":"12","message":"audit"}',
  unknownAction:
    '{"level":"info","log_type":"audit","time":1748000002,"action":"user.create","actor_id":"u1","actor_email":"a@b.c","remote_ip":"10.0.0.1","target_user_id":"u2","message":"audit"}',
  ordinary: '{"level":"info","time":1748000003,"message":"server started"}',
  truncated: '{"level":"info","log_type":"audit","time":1748000004,"action":"peer.del',
} as const;
