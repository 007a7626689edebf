/**
 * The Forward listener's configuration (`inputs.<name>.type: forward`), declared beside the
 * input (config/declare.ts says how) and registered by ../config-kinds.ts. The shared key is a
 * secret: from `shared_key_file` or WIRETY_SHIP_FORWARD_SHARED_KEY, never a flag. The files it
 * names (TLS, shared key) are read at load time by config/check-files.ts.
 */
import { duration, integer, list, path, section, size, text } from '../../config/declare.js';
import type { InputKind } from '../../config/input-kinds.js';
import { REDACTED } from '../../config/redact.js';
import type { Setting } from '../../config/settings.js';
import { formatDuration, formatSize } from '../../config/units.js';
import type { ForwardInputSpec } from '../../config/types.js';
import { forwardDefaults, parseListenAddress } from './options.js';

// prettier-ignore
const flags: readonly Setting[] = [
  { flag: 'forward', arg: '<address>', env: 'WIRETY_SHIP_FORWARD', kind: 'value', input: 'forward', path: ['address'], description: 'listen for Fluent Forward (Docker\'s fluentd log driver) at host:port or unix:///path (input "forward"); port 0 picks a free port, logged at start' },
  { env: 'WIRETY_SHIP_FORWARD_SHARED_KEY', kind: 'value', allInputs: 'forward', path: ['shared_key'], secret: { refused: 'forward-shared-key', file: 'forward-shared-key-file' }, description: 'Forward shared key (every forward input): clients must pass the handshake' },
  { flag: 'forward-shared-key-file', arg: '<file>', env: 'WIRETY_SHIP_FORWARD_SHARED_KEY_FILE', kind: 'value', input: 'forward', path: ['shared_key_file'], description: 'file holding the Forward shared key (input "forward")' },
];

export const forwardConfig: InputKind = {
  type: 'forward',
  flags,
  own: {
    address: text({
      default: forwardDefaults.address,
      typeText: '`host:port` or `unix:///path`',
      doc: 'where to listen; loopback by default (a container with `--network host`, or a unix socket shared with Docker); port `0` picks a free port, logged at start',
    }),
    tls: section(
      {
        cert_file: path({ doc: 'PEM certificate served to clients; with `key_file`, turns TLS on' }),
        key_file: path({ doc: 'PEM private key of `cert_file`' }),
        client_ca_file: path({ doc: 'PEM CAs: clients must present a certificate they signed (mTLS)' }),
      },
      "TLS for the listener (off by default; Docker's fluentd driver speaks TLS with `fluentd-address=tls://…`)",
    ),
    shared_key_file: path({
      doc: 'file holding the shared key: clients must pass the Forward handshake (HELO/PING/PONG, SHA-512). The key itself: WIRETY_SHIP_FORWARD_SHARED_KEY, never a flag',
    }),
    shared_key: text({
      secret: true,
      doc: 'the shared key itself; write `${VAR}` here, or set WIRETY_SHIP_FORWARD_SHARED_KEY (applies to every forward input), or use `shared_key_file`',
    }),
    self_hostname: text({
      default: forwardDefaults.self_hostname,
      doc: 'our name in the handshake (PONG)',
    }),
    streams: list({
      default: [...forwardDefaults.streams],
      doc: "Docker `source` values shipped; records without `source` are always shipped. wirety's stderr carries its console log, not audit events",
    }),
    line_key: text({
      default: forwardDefaults.line_key,
      doc: 'record key holding the line (`log` for Docker); `message` is tried when it is absent. A record with neither is dead-lettered (`forward_no_line`)',
    }),
    max_request_bytes: size({
      min: 1024,
      default: '16MiB',
      doc: 'largest request after decompression (also the gzip expansion limit); a larger one closes its connection, logged with the peer',
    }),
    max_connections: integer({
      min: 1,
      default: forwardDefaults.max_connections,
      doc: 'connections at once',
    }),
    idle_timeout: duration({
      default: '0s',
      doc: 'a connection silent this long is closed; `0` = never (Docker keeps its connection open between logs)',
    }),
    partial_timeout: duration({
      min: 1,
      default: '10s',
      doc: 'a partial line (over 16 KiB, sent in pieces) whose last piece has not come after this long is dead-lettered (`partial_timeout`)',
    }),
  },
  describe(input) {
    const spec = input as ForwardInputSpec;
    const tls = spec.tls.cert_file
      ? `TLS ${spec.tls.cert_file}${spec.tls.client_ca_file ? `, client certificates signed by ${spec.tls.client_ca_file}` : ''}`
      : 'no TLS';
    const key =
      spec.shared_key_file !== undefined
        ? `shared key from ${spec.shared_key_file}`
        : spec.shared_key !== undefined
          ? `shared key ${REDACTED}`
          : 'no shared key';
    return [
      `Fluent Forward on ${spec.address}; ${tls}; ${key}; streams ${spec.streams.join(',')}; line key ${spec.line_key}`,
      `requests up to ${formatSize(spec.max_request_bytes)}; ${spec.max_connections} connections; idle timeout ${spec.idle_timeout_ms > 0 ? formatDuration(spec.idle_timeout_ms) : 'off'}; partial lines wait ${formatDuration(spec.partial_timeout_ms)}; acked once journaled`,
    ];
  },
  check(input, raw, report) {
    if (input.type !== 'forward') return;
    const spec = input;
    const base = ['inputs', spec.name];
    try {
      parseListenAddress(spec.address);
    } catch (error) {
      report(
        [...base, 'address'],
        (error as Error).message.replace(/^forward address \S+: /, ''),
        'e.g. 127.0.0.1:24224 or unix:///run/wirety-ship.sock',
      );
    }
    const tls = spec.tls;
    if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
      report(
        [...base, 'tls', tls.cert_file === undefined ? 'cert_file' : 'key_file'],
        'is required with tls.' + (tls.cert_file === undefined ? 'key_file' : 'cert_file'),
      );
    }
    if (tls.client_ca_file !== undefined && tls.cert_file === undefined) {
      report([...base, 'tls', 'client_ca_file'], 'needs tls.cert_file and tls.key_file (mTLS is TLS first)');
    }
    const rawKey = raw?.shared_key;
    if (spec.shared_key !== undefined && spec.shared_key_file !== undefined) {
      report(
        [...base, rawKey !== undefined ? 'shared_key' : 'shared_key_file'],
        'set either shared_key (or WIRETY_SHIP_FORWARD_SHARED_KEY) or shared_key_file, not both',
      );
    }
    if (spec.shared_key !== undefined && spec.shared_key === '') report([...base, 'shared_key'], 'is empty');
  },
};
