// Type tests: checked by `tsc` (npm run typecheck), never executed.
import type { KubeConfig, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { expectTypeOf } from 'vitest';
import {
  Deployments,
  KubeClient,
  Pods,
  createInformerFactory,
  defineResource,
  type KubeObject,
  type ListPage,
  type Scale,
  type Wire,
  type Write,
} from './index.js';

declare const kubeConfig: KubeConfig;
const client = new KubeClient(kubeConfig);

// A built-in descriptor types every answer with client-node's model in its wire form.
const pods = client.resource(Pods, { namespace: 'shop' });
expectTypeOf(pods.get('web')).resolves.toEqualTypeOf<Wire<V1Pod>>();
expectTypeOf(pods.list()).resolves.toEqualTypeOf<ListPage<Wire<V1Pod>>>();
expectTypeOf(pods.delete('web')).resolves.toEqualTypeOf<Wire<V1Pod> | undefined>();
expectTypeOf(client.resource(Deployments).getScale('web')).resolves.toEqualTypeOf<Scale>();
expectTypeOf(client.resource(Deployments).patchStatus)
  .parameter(1)
  .toMatchTypeOf<{ type: 'merge' | 'json' | 'strategic' }>();
expectTypeOf(client.resource(Deployments).updateStatus).returns.resolves.toEqualTypeOf<Wire<V1Deployment>>();

// So does a custom resource's.
interface Website extends KubeObject {
  spec?: { message: string };
}
const websites = client.resource(
  defineResource<Website>({
    group: 'example.com',
    version: 'v1',
    plural: 'websites',
    kind: 'Website',
    namespaced: true,
  }),
);
expectTypeOf(websites.apply).returns.resolves.toEqualTypeOf<Website>();
// @ts-expect-error server-side apply needs a field manager
void websites.apply({ metadata: { name: 'a' } }, {});
// @ts-expect-error a patch names its kind
void websites.patch('a', { patch: {} });

// The factory's client records writes that informers can wait for.
const informers = createInformerFactory({ kubeConfig });
expectTypeOf(informers.client).toEqualTypeOf<KubeClient>();
expectTypeOf(informers.informer(Pods).waitFor).parameter(0).toEqualTypeOf<Write | KubeObject>();
expectTypeOf(client.withRecorder).parameter(0).toEqualTypeOf<(write: Write) => void>();
