// The Website operator: `npx tsx apps/operator-example/src/main.ts --help`.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  clusterFlags,
  explainError,
  fail,
  loadKubeConfig,
  onShutdown,
  parseCommandLine,
  wantsCluster,
} from '@rxinformer/app-kit';
import { Deployments, KubeClient, KubeTransport } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { firstValueFrom } from 'rxjs';
import { installWebsiteCrd } from './install-crd.js';
import { consoleLogger } from './console-logger.js';
import { startOperator } from './operator.js';
import { Websites } from './website.js';
import { simulateRollouts } from './simulated-rollouts.js';

const flags = {
  ...clusterFlags,
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NAME',
    description: 'namespace whose Websites are reconciled; the leader Lease lives there too',
    default: 'default',
  },
  identity: {
    type: 'string',
    value: 'ID',
    description: 'leader election identity (default: <hostname>-<pid>)',
  },
} as const;

const values = parseCommandLine(
  {
    name: 'operator-example',
    summary:
      'Reconciles Website custom resources (example.com/v1) into a ConfigMap and a Deployment, with leader election.',
    epilog:
      'Without --kubeconfig, --context or $KUBECONFIG it runs on an embedded simulator with a sample Website.\nExample: operator-example --kubeconfig ~/.kube/config --namespace web',
  },
  flags,
  process.argv.slice(2),
);

const say = (line: string) => process.stdout.write(`${line}\n`);
let server: KubeApiServer | undefined;
let kubeconfigPath: string | undefined;
let kubeConfig: KubeConfig | undefined;
try {
  if (wantsCluster(values)) {
    kubeConfig = loadKubeConfig(values);
    const transport = new KubeTransport(kubeConfig, { requestTimeoutMs: 10_000 });
    try {
      await firstValueFrom(transport.getJson('/version', { verb: 'get', resource: 'version' }));
    } finally {
      transport.destroy();
    }
  } else {
    server = await createKubeApiServer();
    kubeConfig = server.kubeConfig;
    kubeconfigPath = join(tmpdir(), `operator-example-${process.pid}.kubeconfig`);
    await server.writeKubeconfig(kubeconfigPath);
    say(
      `embedded simulator at ${server.url}; try: KUBECONFIG=${kubeconfigPath} kubectl get websites,configmaps,deployments -n ${values.namespace}`,
    );
  }
  await installWebsiteCrd(kubeConfig);
  if (server) {
    const seed = new KubeClient(server.kubeConfig);
    await seed.resource(Websites, { namespace: values.namespace }).create({
      metadata: { name: 'hello' },
      spec: { message: 'Hello from rxinformer!', replicas: 2 },
    });
    seed.close();
  }
} catch (error) {
  await server?.close();
  if (kubeconfigPath) rmSync(kubeconfigPath, { force: true });
  fail(explainError(error, { server: kubeConfig?.getCurrentCluster()?.server ?? '' }));
}

const operator = startOperator({
  kubeConfig: kubeConfig!,
  namespace: values.namespace,
  logger: consoleLogger(),
  ...(values.identity ? { identity: values.identity } : {}),
  onLeader: (leading) =>
    say(
      leading
        ? `leading: reconciling Websites in namespace ${values.namespace}`
        : 'not leading: waiting for the lease website-operator',
    ),
  report: (key, changes) => say(`website ${key}: ${changes.join(', ')}`),
});
const rollouts = server
  ? simulateRollouts(
      server,
      operator.informers.informer(Deployments, {
        namespace: values.namespace,
        labelSelector: 'app.kubernetes.io/name=website',
      }),
    )
  : undefined;
onShutdown(async () => {
  rollouts?.unsubscribe();
  await operator.stop();
  await server?.close();
  if (kubeconfigPath) rmSync(kubeconfigPath, { force: true });
  say('stopped: lease released');
});
