/**
 * Options of the Forward listener, their defaults, and the listen address grammar. The config
 * loader validates user input; this module only fills defaults and parses `address`.
 */
import type { Clock } from '../../clock.js';
import type { Logger } from '../../observe/logger.js';

export interface ForwardTlsOptions {
  readonly cert_file: string;
  readonly key_file: string;
  /** When set, clients must present a certificate signed by this CA (mTLS). */
  readonly client_ca_file?: string;
}

export interface ForwardOptions {
  /** The input's name in the `inputs:` map. */
  readonly name?: string;
  /** "127.0.0.1:24224", "[::1]:24224", "unix:///run/wirety-ship.sock". Default 127.0.0.1:24224. */
  readonly address?: string;
  readonly tls?: ForwardTlsOptions;
  /** The shared key itself (the caller reads it from a file or a variable); enables the handshake. */
  readonly shared_key?: string;
  /** Our name in the handshake's PONG. */
  readonly self_hostname?: string;
  /** Docker `source` values kept; records without `source` are always kept. Default ['stdout']. */
  readonly streams?: readonly string[];
  /** Record key holding the line; `message` is tried when it is absent. Default 'log'. */
  readonly line_key?: string;
  /** Largest request, after decompression. Default 16 MiB. */
  readonly max_request_bytes?: number;
  readonly max_connections?: number;
  /** Milliseconds without a byte from a peer before its connection is closed; 0 = never (default). */
  readonly idle_timeout?: number;
  /** Milliseconds a partial line may wait for its last piece. Default 10 s. */
  readonly partial_timeout?: number;
  readonly max_line_bytes?: number;
  /** Bytes of an over-long line kept for the dead-letter record. Default 4 KiB. */
  readonly prefix_bytes?: number;
  /** Most lines in one batch (several requests of one connection are grouped). Default 1000. */
  readonly max_batch_lines?: number;
  /** Decoded bytes a connection may have waiting before its socket is paused. Default 1 MiB. */
  readonly queue_high_water_bytes?: number;
  /** Decoded bytes all connections together may have waiting before every socket is paused. Default 64 MiB. */
  readonly max_queued_bytes?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

const MiB = 1024 * 1024;

export const forwardDefaults = {
  name: 'forward',
  address: '127.0.0.1:24224',
  self_hostname: 'wirety-ship',
  streams: ['stdout'] as readonly string[],
  line_key: 'log',
  max_request_bytes: 16 * MiB,
  max_connections: 256,
  idle_timeout: 0,
  partial_timeout: 10_000,
  max_line_bytes: 256 * 1024,
  prefix_bytes: 4096,
  max_batch_lines: 1000,
  queue_high_water_bytes: MiB,
  max_queued_bytes: 64 * MiB,
} as const;

/** Parses "host:port", "[v6]:port", "tcp://host:port" or "unix:///abs/path". Throws on anything else. */
export function parseListenAddress(address: string): ListenAddress {
  if (address.startsWith('unix://')) {
    const path = address.slice('unix://'.length);
    if (!path.startsWith('/'))
      throw new Error(`forward address ${address}: a unix socket path must be absolute (unix:///run/x.sock)`);
    return { kind: 'unix', path };
  }
  const rest = address.startsWith('tcp://') ? address.slice('tcp://'.length) : address;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535)
    throw new Error(`forward address ${address}: expected host:port or unix:///path`);
  return { kind: 'tcp', host: match[1] ?? match[2]!, port };
}
