/**
 * What the pipeline needs to run one configured sink: its pure codec, the I/O adapters the shared
 * delivery loop drives, and its delivery settings. Built by sinks/create-sink.ts from config and
 * handed whole to its delivery loop (deliver/sink-worker.ts takes the parts it drives).
 */
import type { BatchConfig, RetryConfig, SinkConfig } from '../config/types.js';
import type { Acknowledger, Credentials, SinkCodec, Transport } from '../contract/sink.js';

export interface SinkRuntime {
  readonly name: string;
  readonly config: SinkConfig;
  readonly codec: SinkCodec;
  readonly transport: Transport;
  readonly credentials?: Credentials;
  readonly acknowledger?: Acknowledger;
  readonly batch: BatchConfig;
  readonly retry: RetryConfig;
  readonly maxInFlight: number;
  /** Optional check at startup (Elasticsearch GET /); logs only, never blocks delivery. */
  readonly startupCheck?: (signal: AbortSignal) => Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
