/**
 * The embedded default sink: every accepted audit line, unchanged, one per line on stdout, so
 * `wirety-ship < wirety.log | jq …` works with no receiver at all.
 *
 * Invariants: lines are written byte-for-byte in journal order; a batch counts as delivered only
 * once stdout has taken it (backpressure is honoured); a closed stdout is never a silent success.
 * The pipeline stops this sink when stdout fails and counts what it had not written as abandoned
 * (pipeline/stdout-gone.ts); an abort (shutdown deadline) ends a write the reader never takes.
 * With integrity on (issue 13), a checkpoint record is written like any record: its line is the
 * checkpoint JSON (`"type":"wirety_ship_checkpoint"`); audit lines carry no chain values here.
 */
import type { AuditRecord } from '../../audit/record.js';
import type { HttpReply, Outcome } from '../../contract/outcome.js';
import type { SinkCodec, SinkRequest, Transport } from '../../contract/sink.js';
import type { OutputStream } from './output-stream.js';

export function createStdoutCodec(): SinkCodec {
  return {
    kind: 'stdout',
    encode(records: readonly AuditRecord[]): SinkRequest {
      let text = '';
      for (const r of records) text += r.line + '\n';
      return { path: '/', headers: {}, body: Buffer.from(text) };
    },
    classify(reply: HttpReply): Outcome {
      if (reply.kind === 'response') return { kind: 'delivered' };
      return {
        kind: 'retry',
        class: 'network',
        reason: reply.kind === 'network_error' ? reply.message : 'timeout',
      };
    },
  };
}

/** Writes request bodies to stdout. Rejects only with the caller's abort reason, like HTTP transports. */
export function createStdoutTransport(out: OutputStream): Transport {
  return {
    async send(request, signal) {
      const result = await out.write(request.body, signal);
      if (result === 'written') return { kind: 'response', status: 200, headers: {}, body: '' };
      if (result === 'aborted' || signal.aborted) throw signal.reason;
      const failure = out.failure;
      return {
        kind: 'network_error',
        code: failure?.code ?? 'EPIPE',
        message: `stdout is closed (${failure?.message ?? 'EPIPE'})`,
      };
    },
    close: () => Promise.resolve(),
  };
}
