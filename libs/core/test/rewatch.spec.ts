// Over HTTP: a watch the server ends at its timeoutSeconds, or a dropped connection, is
// re-opened at once; only repeated failures back off. The backoff is set to 60 s here, so a
// re-watch that waited for it could not arrive within the test's time (30 s).
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { ConfigMaps, createInformerFactory, type InformerFactory } from '@rxinformer/core';

let server: KubeApiServer;
let informers: InformerFactory;
beforeEach(async () => {
  server = await createKubeApiServer({});
  informers = createInformerFactory({
    kubeConfig: server.kubeConfig,
    lingerMs: 0,
    reflector: {
      watchList: 'never',
      watchTimeoutSeconds: [1, 1],
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    },
  });
});
afterEach(async () => {
  informers.shutdown();
  await server.close();
});

const watches = (count: number) =>
  firstValueFrom(
    server.requests$.pipe(
      filter((r) => r.watch && r.resource === 'configmaps'),
      take(count),
      toArray(),
    ),
  );

it('re-watches at once after the server ends a watch at its timeoutSeconds', async () => {
  const three = watches(3);
  const cms = informers.informer(ConfigMaps);
  const subscription = cms.events$.subscribe();
  const seen = await three; // the first, then one after each 1 s timeout
  expect(seen).toHaveLength(3);
  expect(cms.health).toMatchObject({
    phase: 'watching',
    attempt: 0,
    restarts: 2,
    lastReason: 'watch closed',
  });
  subscription.unsubscribe();
});

it('re-watches at once after a dropped connection, from the last resourceVersion', async () => {
  const cms = informers.informer(ConfigMaps);
  const subscription = cms.events$.subscribe();
  await cms.synced;
  await server.waitForWatches(1, { resource: ConfigMaps });
  const next = watches(1);
  server.faults.dropWatches();
  const [again] = await next;
  expect(again!.query.resourceVersion).toBe(cms.health.resourceVersion);
  expect(server.requests.filter((r) => r.resource === 'configmaps' && r.verb === 'list')).toHaveLength(1);
  subscription.unsubscribe();
});
