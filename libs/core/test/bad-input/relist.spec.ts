// The smallest reproduction of what the chaos suite finds: an object deleted and re-created under
// the same name while the informer could not watch, then a relist after 410.
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  ConfigMaps,
  createInformerFactory,
  type InformerEvent,
  type InformerFactory,
  type KubeObject,
} from '../../src/index.js';

let server: KubeApiServer;
let factory: InformerFactory;
beforeEach(async () => {
  server = await createKubeApiServer({ bookmarkIntervalMs: 50 });
});
afterEach(async () => {
  factory?.shutdown();
  await server.close();
});

it('reports a delete + re-create under the same name, seen only by a relist, as DELETED{finalStateUnknown} then ADDED (not MODIFIED across uids)', async () => {
  const before = server.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' }, data: { v: '1' } });
  factory = createInformerFactory({
    kubeConfig: server.kubeConfig,
    lingerMs: 0,
    reflector: { backoff: { initialMs: 5, maxMs: 20 } },
  });
  const informer = factory.informer(ConfigMaps, { namespace: 'shop' });
  const events: InformerEvent<KubeObject>[] = [];
  const sub = informer.events$.subscribe((e) => events.push(e));
  try {
    await informer.synced;
    const stall = server.faults.stallWatches();
    server.delete(ConfigMaps, 'a', 'shop');
    const after = server.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' }, data: { v: '2' } });
    server.faults.compactHistory();
    server.faults.dropWatches();
    stall.cancel();
    await firstValueFrom(
      informer.events$.pipe(
        filter((e) => e.type !== 'SYNCED' && e.object.metadata?.uid === after.metadata?.uid),
        timeout(10_000),
      ),
    );
    const changes = events.filter((e) => e.type !== 'SYNCED' && !(e.type === 'ADDED' && e.initial));
    expect(changes.map((e) => `${e.type} ${e.type === 'SYNCED' ? '' : e.object.metadata?.uid}`)).toEqual([
      `DELETED ${before.metadata?.uid}`,
      `ADDED ${after.metadata?.uid}`,
    ]);
    expect(changes[0]?.type === 'DELETED' && changes[0].finalStateUnknown).toBe(true);
  } finally {
    sub.unsubscribe();
  }
});
