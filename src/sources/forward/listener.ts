/**
 * The listening socket: TCP or a unix socket, plain or TLS (mTLS with a client CA), with
 * `max_connections`. Half-open connections are allowed so a client may end its side and still
 * read its acks. A unix socket file left by a crashed run is replaced; a regular file never is.
 */
import { lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Logger } from '../../observe/logger.js';
import type { ForwardTlsOptions, ListenAddress } from './options.js';

export interface Listener {
  readonly server: Server;
  /** The bound address (the real port when 0 was asked). */
  readonly bound: ListenAddress;
  /** Resolves when the server has closed and its last connection is gone. */
  readonly closed: Promise<void>;
}

export interface ListenerOptions {
  readonly address: ListenAddress;
  readonly tls?: ForwardTlsOptions;
  readonly maxConnections: number;
  readonly logger: Logger;
  readonly inputName: string;
  readonly onSocket: (socket: Socket) => void;
}

let unixPeers = 0;

/** "10.0.0.5:51234", "[::1]:51234", or "unix#7" (unix peers have no address). */
export function peerOf(socket: Socket): string {
  const address = socket.remoteAddress;
  if (!address) return `unix#${++unixPeers}`;
  return address.includes(':') ? `[${address}]:${socket.remotePort}` : `${address}:${socket.remotePort}`;
}

async function removeStaleSocket(path: string): Promise<void> {
  // A socket file left by a crashed run refuses connections; one in use accepts them.
  const inUse = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  // Only a socket is removed: a regular file at that path is a configuration mistake to report.
  if (!inUse && lstatSync(path).isSocket()) unlinkSync(path);
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const { address, logger } = options;
  const fields = { input: options.inputName };
  let server: Server;
  if (options.tls) {
    const tls = options.tls;
    const ca = tls.client_ca_file !== undefined ? readFileSync(tls.client_ca_file) : undefined;
    server = createTlsServer(
      {
        allowHalfOpen: true,
        cert: readFileSync(tls.cert_file),
        key: readFileSync(tls.key_file),
        ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
      },
      options.onSocket,
    );
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      logger.warn(`forward: TLS handshake with ${peerOf(socket)} failed: ${error.message}`, fields);
    });
  } else {
    server = createServer({ allowHalfOpen: true }, options.onSocket);
  }
  server.maxConnections = options.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) => {
    const peer = data?.remoteAddress ? `${data.remoteAddress}:${data.remotePort ?? ''}` : 'a unix peer';
    logger.warn(
      `forward: refused a connection from ${peer}: max_connections (${options.maxConnections}) reached`,
      fields,
    );
  });
  const bind = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        resolve();
      };
      if (address.kind === 'unix') server.listen(address.path, done);
      else server.listen(address.port, address.host, done);
    });
  try {
    await bind();
  } catch (error) {
    if (address.kind !== 'unix' || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    await removeStaleSocket(address.path);
    await bind();
  }
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  server.on('error', (error) => logger.error(`forward: listener error: ${error.message}`, fields));
  const bound: ListenAddress =
    address.kind === 'unix'
      ? address
      : { kind: 'tcp', host: address.host, port: (server.address() as AddressInfo).port };
  logger.info(
    `forward: listening on ${bound.kind === 'unix' ? `unix://${bound.path}` : `${bound.host}:${bound.port}`}`,
    fields,
  );
  return { server, bound, closed };
}
