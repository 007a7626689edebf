/** The export formats `verify --from FILE --format …` reads, each a line → Observation function. */
import { fromElasticsearchLine } from './recover-elasticsearch.js';
import { fromLogcliLine } from './recover-loki.js';
import { fromSplunkExportLine } from './recover-splunk.js';
import type { Observation } from './observation.js';

export const FORMATS = {
  /** NDJSON of `_search` hits (or of bare `_source` documents). */
  elasticsearch: fromElasticsearchLine,
  /** `logcli query --output=jsonl`. */
  loki: fromLogcliLine,
  /** `search/jobs/export` with `output_mode=json`. */
  splunk: fromSplunkExportLine,
} as const satisfies Record<string, (line: string) => Observation>;

export type ExportFormat = keyof typeof FORMATS;

export function isExportFormat(name: string): name is ExportFormat {
  return Object.hasOwn(FORMATS, name);
}
