// Helpers of the bad-input corpus: a tiny programmable API server (plain HTTP or HTTPS with
// certificates made here: other CA, expired, wrong name), kubeconfigs pointing at it, and an
// informer wired for fast retries.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom, timeout, type Subscription } from 'rxjs';
// The simulator's DER helpers are not exported; the corpus needs expired and misnamed certificates.
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
} from '../../../testing/src/tls/der.js';
import {
  ConfigMaps,
  createInformerFactory,
  type Informer,
  type InformerEvent,
  type InformerFactory,
  type InformerFactoryOptions,
  type InformerHealth,
  type KubeObject,
} from '../../src/index.js';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

export interface FakeApi {
  readonly url: string;
  readonly requests: { verb: 'list' | 'watch' | 'other'; url: URL; authorization: string | undefined }[];
  /** A kubeconfig for this server; plain HTTP needs insecure-skip-tls-verify with client-node, so it is the default there. */
  kubeConfig(options?: { token?: string; caPem?: string; insecure?: boolean; server?: string }): KubeConfig;
  close(): Promise<void>;
}

export const TOKEN = 'bad-input-token-0123456789';

/** A ConfigMap LIST body with two objects at resourceVersion 10. */
export function listBody(items: unknown[] = [cm('a', '5'), cm('b', '6')], rv = '10'): string {
  return JSON.stringify({
    kind: 'ConfigMapList',
    apiVersion: 'v1',
    metadata: { resourceVersion: rv },
    items,
  });
}

export function cm(name: string, rv: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name, namespace: 'shop', resourceVersion: rv, uid: `uid-${name}` },
    data: { k: 'v' },
    ...extra,
  };
}

export function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/** Serves `list` for LIST requests and `watch` for WATCH requests (second argument: 1 for the first watch). */
export async function fakeApi(options: {
  list?: Handler | undefined;
  watch?: ((req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) | undefined;
  other?: Handler | undefined;
  tls?: { certPem: string; keyPem: string } | undefined;
}): Promise<FakeApi> {
  const requests: FakeApi['requests'] = [];
  const sockets = new Set<Socket>();
  let watches = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const verb = url.searchParams.get('watch')
      ? 'watch'
      : url.pathname.endsWith('/configmaps')
        ? 'list'
        : 'other';
    requests.push({ verb, url, authorization: req.headers.authorization });
    if (verb === 'watch') return (options.watch ?? holdOpen)(req, res, ++watches);
    if (verb === 'list') return (options.list ?? ((_q, r) => json(r, 200, listBody())))(req, res, url);
    return (
      options.other ??
      ((_q, r) => json(r, 404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'not here' }))
    )(req, res, url);
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, handler)
    : http.createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    kubeConfig: (o = {}) =>
      kubeConfig({
        server: o.server ?? url,
        token: o.token ?? TOKEN,
        ...(o.caPem ? { caPem: o.caPem } : {}),
        insecure: o.insecure ?? !options.tls,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function kubeConfig(o: {
  server: string;
  token?: string;
  caPem?: string;
  insecure?: boolean;
}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: o.server,
        skipTLSVerify: o.insecure ?? false,
        ...(o.caPem ? { caData: Buffer.from(o.caPem).toString('base64') } : {}),
      },
    ],
    users: [{ name: 'u', ...(o.token ? { token: o.token } : {}) }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

export function json(
  res: http.ServerResponse,
  code: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A watch that opens and then stays silent. */
export function holdOpen(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
}

/** A watch that sends `chunks` (strings or bytes) and then stays open, or ends if `end`. */
export function streams(chunks: (string | Buffer)[], end = false) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    holdOpen(_req, res);
    for (const c of chunks) res.write(c);
    if (end) res.end();
  };
}

export interface Harness {
  factory: InformerFactory;
  informer: Informer<KubeObject>;
  events: InformerEvent<KubeObject>[];
  errors: unknown[];
  subscription: Subscription;
  /** Resolves with the first health snapshot that satisfies `predicate` (fails after 10 s). */
  health(predicate: (h: InformerHealth) => boolean): Promise<InformerHealth>;
  /** Resolves with the fatal error that reaches events$ (fails after 10 s). */
  fatal(): Promise<unknown>;
  close(): void;
}

/** A ConfigMaps informer in namespace "shop" over `kc`, with LIST (no streaming) and fast retries. */
export function harness(kc: KubeConfig, options: Partial<InformerFactoryOptions> = {}): Harness {
  const factory = createInformerFactory({
    kubeConfig: kc,
    lingerMs: 0,
    ...options,
    reflector: {
      watchList: 'never',
      backoff: { initialMs: 5, maxMs: 20 },
      watchdogMs: 0,
      ...options.reflector,
    },
  });
  const informer = factory.informer(ConfigMaps, { namespace: 'shop' });
  const events: InformerEvent<KubeObject>[] = [];
  const errors: unknown[] = [];
  let fatalResolve: (e: unknown) => void = () => undefined;
  const fatal = new Promise<unknown>((resolve) => (fatalResolve = resolve));
  const subscription = informer.events$.subscribe({
    next: (e) => events.push(e),
    error: (e: unknown) => {
      errors.push(e);
      fatalResolve(e);
    },
  });
  return {
    factory,
    informer,
    events,
    errors,
    subscription,
    health: (predicate) => firstValueFrom(informer.health$.pipe(filter(predicate), timeout(10_000))),
    fatal: () =>
      Promise.race([
        fatal,
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`no fatal error within 10 s; health ${JSON.stringify(informer.health)}`)),
            10_000,
          ).unref(),
        ),
      ]),
    close: () => {
      subscription.unsubscribe();
      factory.shutdown();
    },
  };
}

// ---- certificates -------------------------------------------------------------------------

export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const dn = (cn: string) => sequence(set(sequence(oid('2.5.4.3'), utf8String(cn))));
const ext = (id: string, value: Buffer, critical = false) =>
  critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
const keyId = (k: KeyObject) =>
  createHash('sha1')
    .update(k.export({ type: 'spki', format: 'der' }))
    .digest();
const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

function cert(o: {
  subject: string;
  issuer: string;
  pub: KeyObject;
  signer: KeyObject;
  issuerKeyId: Buffer;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  ip?: number[];
}): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const extensions = o.ca
    ? [
        ext('2.5.29.19', sequence(booleanTrue()), true),
        ext('2.5.29.15', bitString(Buffer.from([0x86]), 1), true),
      ]
    : [
        ext('2.5.29.19', sequence(), true),
        ext('2.5.29.15', bitString(Buffer.from([0x80]), 7), true),
        ext('2.5.29.37', sequence(oid('1.3.6.1.5.5.7.3.1'))),
        ext(
          '2.5.29.17',
          sequence(
            ...(o.ip
              ? [tlv(0x87, Buffer.from(o.ip))]
              : [tlv(0x82, Buffer.from('elsewhere.example', 'ascii'))]),
          ),
        ),
      ];
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    ECDSA_WITH_SHA256,
    dn(o.issuer),
    sequence(time(o.notBefore), time(o.notAfter)),
    dn(o.subject),
    o.pub.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        ...extensions,
        ext('2.5.29.14', octetString(keyId(o.pub))),
        ext('2.5.29.35', sequence(tlv(0x80, o.issuerKeyId))),
      ),
    ),
  );
  return sequence(
    tbs,
    ECDSA_WITH_SHA256,
    bitString(sign('sha256', tbs, { key: o.signer, dsaEncoding: 'der' })),
  );
}

/** A CA and a server certificate for 127.0.0.1 it signed: valid, expired, or for another name. */
export function pki(kind: 'valid' | 'expired' | 'wrong-name' = 'valid'): Pki {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = Date.now();
  const day = 86_400_000;
  const caDer = cert({
    subject: 'bad-input-ca',
    issuer: 'bad-input-ca',
    pub: ca.publicKey,
    signer: ca.privateKey,
    issuerKeyId: keyId(ca.publicKey),
    notBefore: new Date(now - 30 * day),
    notAfter: new Date(now + 365 * day),
    ca: true,
  });
  const leafDer = cert({
    subject: 'bad-input-server',
    issuer: 'bad-input-ca',
    pub: leaf.publicKey,
    signer: ca.privateKey,
    issuerKeyId: keyId(ca.publicKey),
    notBefore: new Date(now - (kind === 'expired' ? 20 : 1) * day),
    notAfter: new Date(now + (kind === 'expired' ? -10 : 30) * day),
    ca: false,
    ...(kind === 'wrong-name' ? {} : { ip: [127, 0, 0, 1] }),
  });
  return {
    caPem: pem('CERTIFICATE', caDer),
    certPem: pem('CERTIFICATE', leafDer),
    keyPem: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
