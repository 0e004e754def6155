// Requests the server refuses: invalid label and field selectors, resources it does not serve,
// scopes that make no sense. Fatal at once, typed, the message naming the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  ConfigMaps,
  InvalidRequestError,
  Nodes,
  Pods,
  ResourceNotFoundError,
  createInformerFactory,
  defineResource,
  type InformerOptions,
  type KubeObject,
  type ResourceDescriptor,
} from '../../src/index.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await createKubeApiServer();
});
afterAll(() => server.close());

async function fatalFor(
  resource: ResourceDescriptor<KubeObject>,
  options: InformerOptions<KubeObject>,
  watchList: 'auto' | 'never' = 'never',
) {
  const factory = createInformerFactory({
    kubeConfig: server.kubeConfig,
    lingerMs: 0,
    reflector: { watchList, backoff: { initialMs: 5, maxMs: 20 } },
  });
  const informer = factory.informer(resource, options);
  try {
    const error = await new Promise<unknown>((resolve, reject) => {
      informer.events$.subscribe({ error: resolve, complete: () => reject(new Error('completed')) });
      setTimeout(
        () => reject(new Error(`no fatal error within 10 s: ${JSON.stringify(informer.health)}`)),
        10_000,
      ).unref();
    });
    expect(informer.health.phase).toBe('failed');
    return error as Error;
  } finally {
    factory.shutdown();
  }
}

describe('invalid selectors: InvalidRequestError, fatal, naming the selector problem', () => {
  it.each([
    ['a label selector with an empty key', { labelSelector: '=web' }, /./],
    ['a label selector that does not parse', { labelSelector: 'app in (web' }, /./],
    ['a label selector with an invalid key', { labelSelector: '-bad-key-=x' }, /./],
    [
      'a field selector on an unsupported field',
      { fieldSelector: 'spec.nope=1' },
      /field label not supported: spec\.nope/,
    ],
    ['a field selector without an operator', { fieldSelector: 'metadata.name' }, /./],
  ])('%s', async (_name, options, message) => {
    const error = await fatalFor(Pods as ResourceDescriptor<KubeObject>, { namespace: 'shop', ...options });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(/^list pods in namespace "shop": 400 BadRequest: /);
    expect(error.message).toMatch(message);
  });

  it('an invalid selector with streaming lists on: still fatal (not mistaken for "WatchList unsupported")', async () => {
    const error = await fatalFor(
      ConfigMaps as ResourceDescriptor<KubeObject>,
      { labelSelector: 'app in (web' },
      'auto',
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(/400 BadRequest/);
  });
});

describe('resources and scopes the server does not serve', () => {
  it('a custom resource whose CRD is not installed: ResourceNotFoundError naming the resource', async () => {
    const Widgets = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    const error = await fatalFor(Widgets as ResourceDescriptor<KubeObject>, { namespace: 'shop' });
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error.message).toMatch(/^list widgets\.example\.com in namespace "shop": 404 NotFound/);
  });

  it('a built-in at a version the server does not serve: ResourceNotFoundError', async () => {
    const OldPods = defineResource({
      group: '',
      version: 'v2beta9',
      plural: 'pods',
      kind: 'Pod',
      namespaced: true,
    });
    const error = await fatalFor(OldPods as ResourceDescriptor<KubeObject>, {});
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error.message).toMatch(/404 NotFound/);
  });

  it('a namespace on a cluster-scoped resource: TypeError at once, naming the kind', () => {
    const factory = createInformerFactory({ kubeConfig: server.kubeConfig });
    try {
      expect(() => factory.informer(Nodes, { namespace: 'shop' })).toThrow(/Node is cluster-scoped/);
    } finally {
      factory.shutdown();
    }
  });

  it('an informer asked of a factory that was shut down: a clear error', () => {
    const factory = createInformerFactory({ kubeConfig: server.kubeConfig });
    factory.shutdown();
    expect(() => factory.informer(Pods)).toThrow(/shut down/);
  });
});
