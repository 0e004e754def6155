import { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, createSecureContext } from 'node:tls';

/** One HTTP request the proxy saw going to kube-apiserver. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

/**
 * A TCP proxy on 127.0.0.1 between an informer and kube-apiserver whose connections a test can
 * cut. It terminates TLS with kube-apiserver's own serving certificate (which covers 127.0.0.1,
 * so clients keep verifying against the same CA) and re-encrypts towards kube-apiserver, which
 * lets it log each request line: what the informer asked for, not what the server answered.
 */
export interface CuttableProxy {
  readonly url: string;
  readonly requests: readonly ProxiedRequest[];
  /** A copy of `kubeConfig` whose cluster server is this proxy (same CA, same user). */
  kubeConfigFor(kubeConfig: KubeConfig): KubeConfig;
  /** Destroys every open connection (watches end with a reset); new connections are accepted. */
  cutAll(): number;
  /** Cuts every connection and refuses new ones until `restore()`, as an unreachable server would. */
  block(): void;
  restore(): void;
  close(): Promise<void>;
}

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1\r\n/g;

export async function startCuttableProxy(options: {
  upstream: string;
  caPem: string;
  keyPem: string;
}): Promise<CuttableProxy> {
  const upstream = new URL(options.upstream);
  const context = createSecureContext({ key: options.keyPem, cert: options.caPem });
  const sockets = new Set<Socket>();
  const requests: ProxiedRequest[] = [];
  let blocked = false;

  const server: Server = createServer((raw) => {
    if (blocked) return void raw.destroy();
    const client = new TLSSocket(raw, { isServer: true, secureContext: context });
    const remote = tlsConnect({ host: upstream.hostname, port: Number(upstream.port), ca: options.caPem });
    for (const s of [raw, client, remote]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        const url = new URL(m[2]!, 'https://proxy');
        requests.push({ method: m[1]!, path: url.pathname, query: Object.fromEntries(url.searchParams) });
      }
    });
    client.pipe(remote);
    remote.pipe(client);
    const teardown = () => {
      client.destroy();
      remote.destroy();
      raw.destroy();
    };
    client.on('close', teardown);
    remote.on('close', teardown);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  const url = `https://127.0.0.1:${address.port}`;

  const cutAll = () => {
    const open = [...sockets];
    for (const s of open) s.destroy();
    return open.length;
  };
  return {
    url,
    requests,
    kubeConfigFor(kubeConfig) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: kubeConfig.clusters.map((c) => ({ ...c, server: url })),
        users: kubeConfig.users,
        contexts: kubeConfig.contexts,
        currentContext: kubeConfig.currentContext,
      });
      return kc;
    },
    cutAll,
    block() {
      blocked = true;
      cutAll();
    },
    restore() {
      blocked = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
