/**
 * The embedded default sink: every accepted audit line, unchanged, one per line on stdout, so
 * `wirety-ship < wirety.log | jq …` works with no receiver at all.
 *
 * Invariants: lines are written byte-for-byte in journal order; a batch counts as delivered only
 * once stdout has taken it (backpressure is honoured); a closed stdout (EPIPE) is a retryable
 * failure, never a silent success.
 */
import type { Writable } from 'node:stream';
import type { AuditRecord } from '../../audit/record.js';
import type { HttpReply, Outcome } from '../../deliver/outcome.js';
import type { SinkCodec, SinkRequest, Transport } from '../sink.js';

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

/** Writes request bodies to a stream (process.stdout by default), waiting for 'drain'. */
export function createStreamTransport(stream: Writable = process.stdout): Transport {
  let failure: NodeJS.ErrnoException | undefined;
  // An EPIPE arrives as an 'error' event; without a listener it would crash the process.
  const onError = (error: NodeJS.ErrnoException) => {
    failure = error;
  };
  stream.on('error', onError);

  return {
    async send(request, signal) {
      if (failure || stream.destroyed) {
        return { kind: 'network_error', code: failure?.code ?? 'EPIPE', message: 'stdout is closed' };
      }
      const written = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        stream.write(request.body, (error) => resolve(error ?? undefined));
      });
      if (written) return { kind: 'network_error', code: written.code ?? 'EPIPE', message: written.message };
      if (stream.writableNeedDrain) {
        await new Promise<void>((resolve, reject) => {
          const abort = () => reject(signal.reason as Error);
          signal.addEventListener('abort', abort, { once: true });
          stream.once('drain', () => {
            signal.removeEventListener('abort', abort);
            resolve();
          });
        });
      }
      return { kind: 'response', status: 200, headers: {}, body: '' };
    },
    close() {
      stream.off('error', onError);
      return Promise.resolve();
    },
  };
}
