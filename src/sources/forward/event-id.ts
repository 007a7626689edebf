/**
 * A stable event id for a record of an acknowledged request, so receivers de-duplicate what a
 * client re-sends after a lost ack (Elasticsearch `_id`, Loki/HEC metadata).
 *
 * A client re-sends a request with the same `option.chunk` (fluent-logger-golang keeps the chunk
 * of a pending message; fluentd re-sends a buffer chunk under its unique id), so chunk + index of
 * the record is stable across re-sends. The line's bytes are hashed in too: chunk ids are chosen by
 * the client, and a client that reused one must not make two different events share an id (a
 * receiver would drop the second as a duplicate). Requests without a chunk get no id: the journal
 * assigns one.
 */
import { createHash } from 'node:crypto';

export function forwardEventId(chunk: string, index: number, line: Buffer): string {
  const hash = createHash('sha256');
  hash.update(chunk);
  hash.update(`\0${index}\0`);
  hash.update(line);
  return `fwd-${hash.digest('base64url').slice(0, 32)}`;
}
