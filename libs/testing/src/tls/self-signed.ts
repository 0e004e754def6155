import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  booleanTrue,
  explicit,
  integer,
  octetString,
  oid,
  sequence,
  set,
  time,
  tlv,
  utf8String,
} from './der.js';

/**
 * PEM-encoded TLS material for a loopback server: a self-signed CA and a server certificate it
 * signed, valid for `IP:127.0.0.1`, `IP:::1` and `DNS:localhost`.
 *
 * @example
 * ```ts
 * import https from 'node:https';
 * declare const handler: (req: unknown, res: { end(): void }) => void;
 * const tls = loopbackCertificates();
 * https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler);
 * kc.loadFromOptions({ clusters: [{ name: 'sim', server, caData: Buffer.from(tls.caPem).toString('base64') }] });
 * ```
 */
export interface LoopbackCertificates {
  /** The CA certificate clients trust. */
  readonly caPem: string;
  /** The server certificate, signed by the CA. */
  readonly certPem: string;
  /** The server certificate's private key (PKCS#8). */
  readonly keyPem: string;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

function distinguishedName(commonName: string): Buffer {
  return sequence(
    set(sequence(oid('2.5.4.10'), utf8String('rxinformer'))),
    set(sequence(oid('2.5.4.3'), utf8String(commonName))),
  );
}

function extension(id: string, value: Buffer, critical = false): Buffer {
  return critical
    ? sequence(oid(id), booleanTrue(), octetString(value))
    : sequence(oid(id), octetString(value));
}

function keyId(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

interface CertificateSpec {
  readonly subject: string;
  readonly issuer: string;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly authorityKeyId: Buffer;
  readonly extensions: Buffer[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function certificate(spec: CertificateSpec): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive and exactly 16 bytes
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    ECDSA_WITH_SHA256,
    distinguishedName(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    distinguishedName(spec.subject),
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        ...spec.extensions,
        extension('2.5.29.14', octetString(keyId(spec.publicKey))),
        extension('2.5.29.35', sequence(tlv(0x80, spec.authorityKeyId))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: spec.signingKey, dsaEncoding: 'der' });
  return sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * What {@link createCertificates} makes: the names the server certificate covers and when it is
 * valid. The defaults give what {@link loopbackCertificates} returns.
 *
 * @example
 * ```ts
 * const expired: CertificateOptions = { notAfter: new Date(Date.now() - 86_400_000) };
 * ```
 */
export interface CertificateOptions {
  /** DNS names in the server certificate (default `['localhost']`). */
  dnsNames?: readonly string[];
  /** IP addresses in the server certificate (default `['127.0.0.1', '::1']`). */
  ips?: readonly string[];
  /** Start of the server certificate's validity (default an hour ago). */
  notBefore?: Date;
  /** End of the server certificate's validity (default in ten years). */
  notAfter?: Date;
}

function ipBytes(ip: string): Buffer {
  if (ip === '::1') return Buffer.concat([Buffer.alloc(15), Buffer.from([1])]);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) {
    throw new TypeError(`createCertificates: ${ip} is not an IPv4 address or ::1`);
  }
  return Buffer.from(parts);
}

/**
 * A fresh CA and a server certificate it signed (ECDSA P-256), made with `node:crypto` alone: for
 * TLS tests that need a certificate that has expired, covers other names, or comes from a CA the
 * client does not trust.
 *
 * @example
 * ```ts
 * import https from 'node:https';
 * const wrongName = createCertificates({ dnsNames: ['elsewhere.example'], ips: [] });
 * https.createServer({ cert: wrongName.certPem, key: wrongName.keyPem }, (_req, res) => res.end());
 * ```
 */
export function createCertificates(options: CertificateOptions = {}): LoopbackCertificates {
  const now = Date.now();
  const notBefore = options.notBefore ?? new Date(now - 3_600_000);
  const notAfter = options.notAfter ?? new Date(now + 10 * 365 * 86_400_000);
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caKeyId = keyId(ca.publicKey);
  const caDer = certificate({
    subject: 'rxinformer-sim-ca',
    issuer: 'rxinformer-sim-ca',
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    authorityKeyId: caKeyId,
    notBefore: new Date(Math.min(notBefore.getTime(), now - 3_600_000)),
    notAfter: new Date(Math.max(notAfter.getTime(), now + 10 * 365 * 86_400_000)),
    extensions: [
      extension('2.5.29.19', sequence(booleanTrue()), true), // basicConstraints: CA
      extension('2.5.29.15', bitString(Buffer.from([0x86]), 1), true), // digitalSignature, keyCertSign, cRLSign
    ],
  });
  const names = [
    ...(options.dnsNames ?? ['localhost']).map((name) => tlv(0x82, Buffer.from(name, 'ascii'))),
    ...(options.ips ?? ['127.0.0.1', '::1']).map((ip) => tlv(0x87, ipBytes(ip))),
  ];
  const serverDer = certificate({
    subject: 'rxinformer-sim',
    issuer: 'rxinformer-sim-ca',
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    authorityKeyId: caKeyId,
    notBefore,
    notAfter,
    extensions: [
      extension('2.5.29.19', sequence(), true),
      extension('2.5.29.15', bitString(Buffer.from([0x80]), 7), true), // digitalSignature
      extension('2.5.29.37', sequence(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
      extension('2.5.29.17', sequence(...names)),
    ],
  });
  return {
    caPem: pem('CERTIFICATE', caDer),
    certPem: pem('CERTIFICATE', serverDer),
    keyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

let cached: LoopbackCertificates | undefined;

/**
 * A CA and a loopback server certificate (ECDSA P-256, ten years), generated with `node:crypto`
 * alone on first call and cached for the life of the process, so many servers start fast.
 *
 * @example
 * ```ts
 * import { X509Certificate } from 'node:crypto';
 * const { certPem } = loopbackCertificates();
 * new X509Certificate(certPem).checkIP('127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function loopbackCertificates(): LoopbackCertificates {
  cached ??= createCertificates();
  return cached;
}
