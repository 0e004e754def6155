import { KubeConfig } from '@kubernetes/client-node';

/**
 * The parts of a kubeconfig that point at one server with a bearer token.
 *
 * @example
 * ```ts
 * const spec: KubeconfigSpec = { url: server.url, caPem: server.caPem, token: server.token, namespace: 'shop' };
 * ```
 */
export interface KubeconfigSpec {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
  readonly name?: string;
  readonly namespace?: string;
}

/**
 * A kubeconfig document (JSON, which kubectl and client-node read as YAML) for one server.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * declare const url: string, caPem: string, token: string; // the server's
 * writeFileSync('kubeconfig', kubeconfigDocument({ url, caPem, token }), { mode: 0o600 });
 * ```
 */
export function kubeconfigDocument(spec: KubeconfigSpec): string {
  const name = spec.name ?? 'rxinformer-sim';
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name,
          cluster: {
            server: spec.url,
            'certificate-authority-data': Buffer.from(spec.caPem).toString('base64'),
          },
        },
      ],
      users: [{ name, user: { token: spec.token } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: spec.namespace ?? 'default' } }],
      'current-context': name,
      preferences: {},
    },
    null,
    2,
  )}\n`;
}

/**
 * A client-node KubeConfig for one server.
 *
 * @example
 * ```ts
 * declare const url: string, caPem: string, token: string; // the server's
 * const kc = kubeConfigFor({ url, caPem, token });
 * kc.makeApiClient(CoreV1Api);
 * ```
 */
export function kubeConfigFor(spec: KubeconfigSpec): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigDocument(spec));
  return kc;
}
