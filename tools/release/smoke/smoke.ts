// Type-checked as a user's program would be (tsc --strict, module nodenext) against the installed
// packages' declarations, once as ESM (smoke.mts, the .d.ts files) and once as CJS (smoke.cts,
// the .d.cts files). Compiled only, never run: the .mjs/.cjs checks run the code.
import { KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { batchEvents, coalesceByKey } from '@rxinformer/batching';
import { controller, type Controller, type Reconciler } from '@rxinformer/controller';
import {
  ConfigMaps,
  ResourceNotFoundError,
  createInformerFactory,
  objectKey,
  type InformerEvent,
  type InformerFactory,
  type KubeObject,
  type Wire,
} from '@rxinformer/core';
import { logEvents, redactingLogger, silentLogger, type Logger } from '@rxinformer/logging';
import { informerMetrics, measureEvents, metricsHandler } from '@rxinformer/metrics';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { Registry } from 'prom-client';
import { firstValueFrom, type Observable } from 'rxjs';

type ConfigMap = Wire<V1ConfigMap>;

export async function configMapsOf(server: KubeApiServer): Promise<string[]> {
  const informers: InformerFactory = createInformerFactory({ kubeConfig: server.kubeConfig });
  const configMaps = informers.informer(ConfigMaps, { namespace: 'smoke' });
  await configMaps.synced;
  const created = await informers.client
    .resource(ConfigMaps, { namespace: 'smoke' })
    .create({ metadata: { name: 'greeting' }, data: { hello: 'world' } });
  await configMaps.waitFor(created);
  const data: Record<string, string> | undefined = configMaps.store.get('smoke/greeting')?.data;
  informers.shutdown();
  return [objectKey(created), ...Object.keys(data ?? {})];
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ResourceNotFoundError && error.status?.code === 404;
}

export function pipeline(events$: Observable<InformerEvent<KubeObject>>, logger: Logger = silentLogger) {
  const registry = new Registry();
  const metrics = informerMetrics(registry);
  const batches$ = events$.pipe(
    coalesceByKey({ window: 100 }),
    logEvents(redactingLogger(logger), { resource: 'configmaps' }),
    measureEvents(metrics, 'configmaps'),
    batchEvents({ maxSize: 100, maxWait: 50 }),
  );
  return { batches$, handler: metricsHandler(registry), first: () => firstValueFrom(batches$) };
}

export function marker(kubeConfig: KubeConfig): Controller {
  const informers = createInformerFactory({ kubeConfig });
  const reconcile: Reconciler<ConfigMap> = async ({ object, name, namespace, client, signal }) => {
    if (!object) return;
    await client
      .resource(ConfigMaps, { namespace })
      .patch(name, { type: 'merge', patch: { data: { reconciled: 'yes' } } }, { signal });
    return { requeueAfterMs: 60_000 };
  };
  return controller({
    name: 'smoke',
    for: informers.informer(ConfigMaps),
    reconcile,
    registry: new Registry(),
  });
}

export const start: () => Promise<KubeApiServer> = () => createKubeApiServer({ seed: 1 });
