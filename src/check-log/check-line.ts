/**
 * One framed line → its verdict in the tally, with the shipper's decisions (pipeline/ingest.ts):
 * a line the framer refused (over max_line_bytes, not UTF-8) is invalid; the classifier's verdict
 * otherwise (audit/classify.ts, the same catalogue, schema and max_depth); an action outside the
 * catalogue is valid, or invalid as `unknown_action` under `audit.unknown_actions: dead_letter`.
 * Keep this in step with ingest.ts: `check` promises the shipper's verdict for every line.
 */
import type { Classifier } from '../audit/classify.js';
import type { FramedLine } from '../sources/line-framer.js';
import { addFinding, addUnknownAction, type Tally } from './tally.js';

export interface LineDecisions {
  readonly classify: Classifier;
  readonly maxLineBytes: number;
  readonly unknownActions: 'forward' | 'dead_letter';
}

export function checkLine(tally: Tally, source: string, framed: FramedLine, decide: LineDecisions): void {
  tally.lines++;
  const at = { source, line: framed.lineNumber, byteOffset: framed.offset };
  if (framed.kind === 'too_long') {
    addFinding(tally, {
      ...at,
      verdict: 'invalid',
      reason: 'line_too_long',
      detail: `line is ${framed.bytes} bytes, over max_line_bytes (${decide.maxLineBytes})`,
    });
    return;
  }
  if (framed.kind === 'invalid_utf8') {
    addFinding(tally, {
      ...at,
      verdict: 'invalid',
      reason: 'invalid_utf8',
      detail: 'line is not valid UTF-8',
    });
    return;
  }
  const c = decide.classify(framed.text);
  switch (c.verdict) {
    case 'empty':
      tally.verdicts.empty++;
      return;
    case 'not_audit':
      tally.verdicts.not_audit++;
      return;
    case 'not_json':
      addFinding(tally, { ...at, verdict: 'not_json', reason: 'not_json', detail: c.detail });
      return;
    case 'invalid':
      addFinding(tally, {
        ...at,
        verdict: 'invalid',
        reason: c.reason ?? 'invalid',
        path: c.path,
        detail: c.detail,
        ...(c.action !== undefined ? { action: c.action } : {}),
      });
      return;
    case 'valid': {
      if (c.knownAction) {
        tally.verdicts.valid++;
        return;
      }
      const action = c.event.action;
      addUnknownAction(tally, action, source, framed.lineNumber);
      if (decide.unknownActions === 'dead_letter') {
        addFinding(tally, {
          ...at,
          verdict: 'invalid',
          reason: 'unknown_action',
          path: '/action',
          detail: `action "${action}" is not in the event catalogue (audit.unknown_actions: dead_letter)`,
          action,
        });
      } else {
        tally.verdicts.valid++;
      }
      return;
    }
  }
}
