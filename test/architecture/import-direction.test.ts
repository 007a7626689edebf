/**
 * The import layers (eslint.config.js, drawn in docs/ARCHITECTURE.md) are enforced by `eslint .`
 * in `npm test`. These tests run the real config through ESLint's Node API on made-up files, so a
 * rule that stops matching (a renamed folder, a broken pattern, a dropped row) fails here instead
 * of letting wrong-way imports in silently. Type-aware rules are turned off for speed: only the
 * layer rule is looked at.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked });

/** The layer-rule messages ESLint gives `code` as if it were the file at `filePath`. */
async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `no lint result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${filePath} did not parse`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** [file, import text] pairs: each must be refused. */
const wrongWay: readonly (readonly [string, string])[] = [
  ['src/contract/x.ts', "import type { SinkRuntime } from '../sinks/sink-runtime.js';"],
  ['src/contract/x.ts', "import type { Logger } from '../observe/logger.js';"],
  ['src/contract/x.ts', "export type { Stats } from '../observe/stats.js';"],
  ['src/observe/x.ts', "import type { Metrics } from '../monitor/metrics.js';"],
  ['src/observe/x.ts', "import type { AckUnavailableCause } from '../sinks/splunk-hec/ack-fallback.js';"],
  ['src/transport/x.ts', "import type { SinkRuntime } from '../sinks/sink-runtime.js';"],
  ['src/transport/x.ts', "import { createSinkWorker } from '../deliver/sink-worker.js';"],
  ['src/sinks/x.ts', "import { createSinkWorker } from '../deliver/sink-worker.js';"],
  ['src/sinks/loki/x.ts', "import { deliverBatch } from '../../deliver/deliver-batch.js';"],
  ['src/sinks/loki/x.ts', "import { startPipeline } from '../../pipeline/pipeline.js';"],
  ['src/sinks/elasticsearch/x.ts', "import { createMetrics } from '../../monitor/metrics.js';"],
  ['src/deliver/x.ts', "import { createLokiCodec } from '../sinks/loki/index.js';"],
  ['src/deliver/x.ts', "import { summaryLine } from '../monitor/summary.js';"],
  ['src/journal/x.ts', "import { createSinkWorker } from '../deliver/sink-worker.js';"],
  // journal/disk/ (being added beside this work) is under journal/, so the journal's row covers it.
  ['src/journal/disk/x.ts', "import type { SinkCodec } from '../../sinks/sink.js';"],
  ['src/dead-letter/x.ts', "import { startPipeline } from '../pipeline/pipeline.js';"],
  ['src/monitor/x.ts', "import { createSinkWorker } from '../deliver/sink-worker.js';"],
  ['src/check/x.ts', "import { startPipeline } from '../pipeline/pipeline.js';"],
  ['src/pipeline/x.ts', "import { runOnlineCheck } from '../check/run-check.js';"],
  ['src/pipeline/x.ts', "import { main } from '../cli.js';"],
  ['src/audit/x.ts', "import type { Config } from '../config/types.js';"],
  ['src/clock.ts', "import type { Logger } from './observe/logger.js';"],
];

/** [file, import text] pairs that follow the layers: none may be refused. */
const rightWay: readonly (readonly [string, string])[] = [
  ['src/contract/x.ts', "import type { AuditRecord } from '../audit/record.js';"],
  ['src/contract/x.ts', "import type { Outcome } from './outcome.js';"],
  ['src/observe/x.ts', "import type { HttpReply } from '../contract/outcome.js';"],
  ['src/transport/x.ts', "import type { Transport } from '../contract/sink.js';"],
  ['src/transport/x.ts', "import type { TlsConfig } from '../config/types.js';"],
  ['src/sinks/create-x.ts', "import { createHttpTransport } from '../transport/http-transport.js';"],
  ['src/sinks/loki/x.ts', "import type { Outcome } from '../../contract/outcome.js';"],
  ['src/sinks/x.ts', "import { createLokiCodec } from './loki/index.js';"],
  ['src/deliver/x.ts', "import type { SinkRuntime } from '../sinks/sink-runtime.js';"],
  ['src/deliver/x.ts', "import { withExactDecisions } from '../transport/scrubbed-reply.js';"],
  ['src/journal/disk/x.ts', "import type { SinkCursor } from '../event-log.js';"],
  ['src/monitor/x.ts', "import type { EventLog } from '../journal/event-log.js';"],
  ['src/pipeline/x.ts', "import { createSinkWorker } from '../deliver/sink-worker.js';"],
  ['src/cli.ts', "import { runOnlineCheck } from './check/run-check.js';"],
];

test('a wrong-way import is reported by the layer rule, naming the layers', async () => {
  for (const [file, code] of wrongWay) {
    const errors = await layerErrors(file, code);
    assert.equal(errors.length, 1, `${file}: ${code} should be refused once, got ${JSON.stringify(errors)}`);
    assert.match(errors[0]!, /docs\/ARCHITECTURE\.md/);
  }
});

test('an import that follows the layers is not reported', async () => {
  for (const [file, code] of rightWay) {
    assert.deepEqual(await layerErrors(file, code), [], `${file}: ${code}`);
  }
});

test('every folder of src/ has its row in the layer rule', async () => {
  const folders = readdirSync(path.join(root, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  assert.ok(folders.includes('contract') && folders.includes('transport'));
  for (const folder of folders) {
    const config = (await eslint.calculateConfigForFile(path.join(root, 'src', folder, 'x.ts'))) as {
      rules?: Record<string, unknown>;
    };
    const rule = config.rules?.['no-restricted-imports'];
    assert.ok(
      Array.isArray(rule) && rule[0] === 2,
      `src/${folder}/ has no layer row in eslint.config.js (LAYERS): add one, and a line in docs/ARCHITECTURE.md`,
    );
  }
});
