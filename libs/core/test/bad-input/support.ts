// Helpers of the bad-input corpus: a tiny programmable API server (plain HTTP or HTTPS with
// certificates made here: other CA, expired, wrong name), kubeconfigs pointing at it, and an
// informer wired for fast retries.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { filter, firstValueFrom, timeout, type Subscription } from 'rxjs';
import { createCertificates } from '@rxinformer/testing';
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

/** A CA and a server certificate for 127.0.0.1 it signed: valid, expired, or for another name. */
export function pki(kind: 'valid' | 'expired' | 'wrong-name' = 'valid'): Pki {
  const day = 86_400_000;
  const now = Date.now();
  if (kind === 'expired')
    return createCertificates({ notBefore: new Date(now - 20 * day), notAfter: new Date(now - 10 * day) });
  if (kind === 'wrong-name') return createCertificates({ dnsNames: ['elsewhere.example'], ips: [] });
  return createCertificates();
}
