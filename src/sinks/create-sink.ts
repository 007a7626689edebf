/**
 * Builds the runtime of one configured sink: codec + transport (+ credentials, acknowledger,
 * startup check). Each sink gets its own transport, so a slow or dead receiver never holds a
 * connection another sink needs.
 */
import type { Clock } from '../clock.js';
import type { HttpSinkCommon, SinkConfig } from '../config/types.js';
import { createCredentials } from '../transport/credentials.js';
import { createHttpTransport, type HttpTransportOptions } from '../transport/http-transport.js';
import type { Logger } from '../observe/logger.js';
import { checkCluster } from './elasticsearch/startup-check.js';
import { createElasticsearchCodec } from './elasticsearch/index.js';
import { createLokiCodec } from './loki/index.js';
import { reportSnappyChoice } from './loki/snappy.js';
import type { Credentials, Transport } from '../contract/sink.js';
import type { SinkRuntime } from './sink-runtime.js';
import {
  ackMode,
  createHecAcknowledger,
  createSplunkHecCodec,
  createStickyTransport,
  newChannelId,
} from './splunk-hec/index.js';
import { createStdoutCodec, createStdoutTransport } from './stdout/index.js';
import type { OutputStream } from './stdout/output-stream.js';

export type HttpSinkConfig = Exclude<SinkConfig, { type: 'stdout' }>;

export interface SinkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shared with --passthrough, so both see the same closed or stuck stdout. */
  readonly stdout: OutputStream;
}

export function createSinkRuntime(config: SinkConfig, deps: SinkDeps): SinkRuntime {
  const common = {
    name: config.name,
    config,
    batch: config.batch,
    retry: config.retry,
    maxInFlight: config.max_in_flight,
  };
  switch (config.type) {
    case 'stdout': {
      const transport = createStdoutTransport(deps.stdout);
      let closing: Promise<void> | undefined;
      return {
        ...common,
        codec: createStdoutCodec(),
        transport,
        close: () => (closing ??= transport.close()),
      };
    }
    case 'loki':
      reportSnappyChoice(deps.logger);
      return httpSinkRuntime(common, config, deps, createLokiCodec(config));
    case 'elasticsearch': {
      const runtime = httpSinkRuntime(common, config, deps, createElasticsearchCodec(config));
      if (!config.startup_check) return runtime;
      const startupCheck = (signal: AbortSignal) =>
        checkCluster(runtime.transport, deps.logger, signal, config.name);
      return { ...runtime, startupCheck };
    }
    case 'splunk_hec': {
      const { credentials, transport: http } = httpParts(config, deps);
      // One channel per sink and process, on every request: Splunk ties ackIds to it, and a token
      // with ack on refuses requests without one. Its cookies keep it on one indexer.
      const channel = newChannelId();
      const configuredCookie = Object.entries(config.headers).find(
        ([name]) => name.toLowerCase() === 'cookie',
      );
      const transport = createStickyTransport(http, deps.clock, configuredCookie?.[1]);
      const mode = ackMode(config);
      const acknowledger =
        mode === 'off'
          ? undefined
          : createHecAcknowledger({
              transport,
              channel,
              clock: deps.clock,
              pollIntervalMs: config.ack.poll_interval_ms,
              timeoutMs: config.ack.timeout_ms,
              logger: deps.logger,
              mode,
              routes: transport,
            });
      let closing: Promise<void> | undefined;
      return {
        ...common,
        codec: createSplunkHecCodec(config, { channel }),
        transport,
        ...(credentials ? { credentials } : {}),
        ...(acknowledger ? { acknowledger } : {}),
        close: () =>
          (closing ??= (async () => {
            await acknowledger?.close();
            await transport.close();
          })()),
      };
    }
  }
}

/** The sink's authentication (HEC: its token), read as a run reads it; throws if a file is unreadable. */
export function createSinkCredentials(config: HttpSinkConfig): Credentials | undefined {
  if (config.type !== 'splunk_hec') return createCredentials(config.auth);
  return createCredentials(config.auth, {
    scheme: 'Splunk',
    ...(config.token !== undefined ? { token: config.token } : {}),
    ...(config.token_file !== undefined ? { tokenFile: config.token_file } : {}),
  });
}

/** What the sink's HTTP transport is built from: URL, TLS, extra headers, credentials, timeout. */
export function sinkTransportOptions(
  config: HttpSinkCommon,
  credentials: Credentials | undefined,
): HttpTransportOptions {
  return {
    url: config.url,
    timeoutMs: config.timeout_ms,
    gzip: config.gzip,
    tls: config.tls,
    headers: config.headers,
    ...(credentials ? { credentials } : {}),
    connections: config.max_in_flight,
  };
}

/** A sink that is a codec over one HTTP transport, closed once. */
function httpSinkRuntime(
  common: Pick<SinkRuntime, 'name' | 'config' | 'batch' | 'retry' | 'maxInFlight'>,
  config: HttpSinkConfig,
  deps: SinkDeps,
  codec: SinkRuntime['codec'],
): SinkRuntime {
  const { credentials, transport } = httpParts(config, deps);
  let closing: Promise<void> | undefined;
  return {
    ...common,
    codec,
    transport,
    ...(credentials ? { credentials } : {}),
    close: () => (closing ??= transport.close()),
  };
}

/** The credentials and HTTP transport every HTTP sink is built on. */
function httpParts(
  config: HttpSinkConfig,
  deps: SinkDeps,
): { credentials: Credentials | undefined; transport: Transport } {
  const credentials = createSinkCredentials(config);
  if (config.tls.insecure_skip_verify) {
    deps.logger.warn('TLS certificate verification is OFF for this sink (insecure_skip_verify)', {
      sink: config.name,
    });
  }
  return { credentials, transport: createHttpTransport(sinkTransportOptions(config, credentials)) };
}
