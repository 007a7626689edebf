/**
 * Every file the configuration names is read at load time, so a missing or unusable file is a
 * configuration error (exit 78) naming the key, the file and the reason, reported with every other
 * problem in the same run, instead of a crash once the pipeline has started.
 *
 * - Secret files (auth.password_file, auth.bearer_token_file, auth.api_key_file, token_file): a
 *   readable file that is not empty. Their content never appears in a message.
 * - tls.ca_file and tls.cert_file: PEM certificates that parse; tls.key_file: an unencrypted PEM
 *   private key that belongs to tls.cert_file. OpenSSL's own words are quoted for certificates
 *   only (never for a key: nothing derived from a key's bytes is printed).
 * - A Forward input's tls.* files are held to the same rules, its shared_key_file to a secret's.
 * - A file set once for several sinks (--ca-file, `defaults.tls`) is reported once.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { RawConfig } from './file-schema.js';
import type { Origins } from './origins.js';
import { layered } from './resolve-values.js';
import type { Path } from './tree.js';
import type { Config } from './types.js';

type Report = (path: Path, message: string, hint?: string) => void;
type Kind = 'secret' | 'certificates' | 'private_key';

interface NamedFile {
  readonly path: Path;
  readonly file: string;
  readonly kind: Kind;
}

function namedFiles(config: Config, raw: RawConfig): NamedFile[] {
  const out: NamedFile[] = [];
  for (const sink of config.sinks) {
    if (sink.type === 'stdout') continue;
    const base = ['sinks', sink.name];
    const layers = [
      [base, raw.sinks?.[sink.name]],
      [['defaults'], raw.defaults],
    ] as const;
    const tls = (key: string, file: string | undefined, kind: Kind) => {
      if (file !== undefined) out.push({ path: layered(layers, ['tls', key])[0], file, kind });
    };
    tls('ca_file', sink.tls.ca_file, 'certificates');
    tls('cert_file', sink.tls.cert_file, 'certificates');
    tls('key_file', sink.tls.key_file, 'private_key');
    for (const key of ['password_file', 'bearer_token_file', 'api_key_file'] as const) {
      const file = sink.auth[key];
      if (file !== undefined) out.push({ path: [...base, 'auth', key], file, kind: 'secret' });
    }
    if (sink.type === 'splunk_hec' && sink.token_file !== undefined)
      out.push({ path: [...base, 'token_file'], file: sink.token_file, kind: 'secret' });
  }
  for (const input of config.inputs) {
    if (input.type !== 'forward') continue;
    const base = ['inputs', input.name];
    const add = (key: Path, file: string | undefined, kind: Kind) => {
      if (file !== undefined) out.push({ path: [...base, ...key], file, kind });
    };
    add(['tls', 'cert_file'], input.tls.cert_file, 'certificates');
    add(['tls', 'key_file'], input.tls.key_file, 'private_key');
    add(['tls', 'client_ca_file'], input.tls.client_ca_file, 'certificates');
    add(['shared_key_file'], input.shared_key_file, 'secret');
  }
  return out;
}

function unreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (wirety-ship runs as uid ${process.getuid?.() ?? '?'})`;
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return code ?? 'unknown error';
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

interface Flaw {
  readonly message: string;
  readonly hint?: string;
}

function badCertificates(text: string): Flaw | undefined {
  const blocks = [...text.matchAll(PEM_BLOCK)].filter((m) => m[1] === 'CERTIFICATE');
  if (blocks.length === 0 && text.includes('-----BEGIN '))
    return { message: 'holds no PEM certificate ("-----BEGIN CERTIFICATE-----")' };
  if (blocks.length === 0) {
    return {
      message: 'is not a PEM file ("-----BEGIN CERTIFICATE-----")',
      hint: 'a DER certificate converts with: openssl x509 -inform der -in <file> -out <file>.pem',
    };
  }
  for (const [block] of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return { message: `holds a certificate that does not parse (${(error as Error).message})` };
    }
  }
  return undefined;
}

function badPrivateKey(text: string): Flaw | undefined {
  // PKCS#8 ("ENCRYPTED PRIVATE KEY") or the traditional OpenSSL header on an RSA/EC key.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    return {
      message: 'is an encrypted private key, and wirety-ship has no passphrase setting',
      hint: 'store it decrypted (openssl pkey -in <file> -out <new file>) in a file only wirety-ship can read',
    };
  }
  try {
    createPrivateKey({ key: text, format: 'pem' });
    return undefined;
  } catch {
    return { message: 'holds no PEM private key ("-----BEGIN PRIVATE KEY-----")' };
  }
}

/** Reads and checks every named file; each problem goes to `report` at the key that named it. */
export async function checkFiles(
  config: Config,
  raw: RawConfig,
  origins: Origins,
  report: Report,
): Promise<void> {
  const seen = new Set<string>();
  const usable = new Map<string, Buffer>();
  for (const { path, file, kind } of namedFiles(config, raw)) {
    const once = `${origins.where(path).text}\0${file}\0${kind}`;
    if (seen.has(once)) continue;
    seen.add(once);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      report(path, `cannot read "${file}": ${unreadable(error)}`);
      continue;
    }
    const text = bytes.toString('utf8');
    if (kind === 'secret') {
      if (text.replace(/[\r\n]+$/, '') === '') report(path, `"${file}" is empty`);
      continue;
    }
    const flaw = kind === 'certificates' ? badCertificates(text) : badPrivateKey(text);
    if (flaw) report(path, `"${file}" ${flaw.message}`, flaw.hint);
    else usable.set(file, bytes);
  }
  for (const sink of config.sinks) {
    if (sink.type === 'stdout' || !sink.tls.cert_file || !sink.tls.key_file) continue;
    const cert = usable.get(sink.tls.cert_file);
    const key = usable.get(sink.tls.key_file);
    if (!cert || !key) continue;
    try {
      createSecureContext({ cert, key });
    } catch {
      const layers = [
        [['sinks', sink.name], raw.sinks?.[sink.name]],
        [['defaults'], raw.defaults],
      ] as const;
      report(
        layered(layers, ['tls', 'key_file'])[0],
        `"${sink.tls.key_file}" is not the key of the certificate in "${sink.tls.cert_file}" (tls.cert_file)`,
      );
    }
  }
}
