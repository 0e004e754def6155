// Type tests: checked by `tsc` (npm run typecheck), never executed.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { expectTypeOf } from 'vitest';
import {
  ConfigMaps,
  Pods,
  createInformerFactory,
  defineResource,
  type InformerEvent,
  type KubeObject,
  type Wire,
} from './index.js';

declare const kubeConfig: KubeConfig;
const informers = createInformerFactory({ kubeConfig });

// Built-in descriptors carry client-node's model type in its wire form.
const pods = informers.informer(Pods);
expectTypeOf(pods.store.get('a/b')).toEqualTypeOf<Wire<V1Pod> | undefined>();
expectTypeOf<Wire<V1Pod>['metadata']>().toMatchTypeOf<{ creationTimestamp?: string } | undefined>();

// Events narrow by type.
pods.events$.subscribe((event: InformerEvent<Wire<V1Pod>>) => {
  if (event.type === 'MODIFIED') expectTypeOf(event.previous).toEqualTypeOf<Wire<V1Pod>>();
  if (event.type === 'DELETED') expectTypeOf(event.finalStateUnknown).toBeBoolean();
  if (event.type === 'SYNCED') expectTypeOf(event).not.toHaveProperty('object');
});

// Custom resources keep their own type; index functions see it.
interface Website extends KubeObject {
  spec?: { message: string; replicas: number };
}
const Websites = defineResource<Website>({
  group: 'example.com',
  version: 'v1',
  plural: 'websites',
  kind: 'Website',
  namespaced: true,
});
const sites = informers.informer(Websites, { indexers: { byMessage: (w) => [w.spec?.message ?? ''] } });
expectTypeOf(sites.items$).toMatchTypeOf<import('rxjs').Observable<readonly Website[]>>();

// @ts-expect-error an index function must return strings
informers.informer(ConfigMaps, { indexers: { bad: () => [1] } });
