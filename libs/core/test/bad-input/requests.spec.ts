// Requests the server refuses: invalid label and field selectors, resources it does not serve,
// scopes that make no sense. Fatal at once, typed, the message naming the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import {
  ConfigMaps,
  DecodeError,
  ForbiddenError,
  InvalidRequestError,
  KubeApiError,
  Nodes,
  Pods,
  ResourceNotFoundError,
  UnauthorizedError,
  createInformerFactory,
  defineResource,
  type InformerOptions,
  type KubeObject,
  type ResourceDescriptor,
} from '../../src/index.js';
import { fakeApi, harness, json, streams } from './support.js';

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

describe('a streaming list (a watch with sendInitialEvents) is reported as a list', () => {
  const refuse = (code: number, reason: string) => (_req: unknown, res: Parameters<typeof json>[0]) =>
    json(res, code, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code,
      reason,
      message: 'refused',
    });

  // A 403 names the verb RBAC refused, and kube-apiserver authorizes a streaming list as a
  // watch: granting `list` would not help, so a ForbiddenError says `watch`.
  it.each([
    [401, 'Unauthorized', UnauthorizedError, 'list'],
    [403, 'Forbidden', ForbiddenError, 'watch'],
    [404, 'NotFound', ResourceNotFoundError, 'list'],
  ])(
    '%i on the streaming initial list: the error names the verb of the refusal',
    async (code, reason, type, verb) => {
      const api = await fakeApi({ watch: refuse(code, reason) });
      const h = harness(api.kubeConfig(), { reflector: { watchList: 'always' } });
      try {
        const error = await h.fatal();
        expect(error).toBeInstanceOf(type);
        expect((error as KubeApiError).verb).toBe(verb);
        expect((error as Error).message).toMatch(
          new RegExp(`^${verb} configmaps in namespace "shop": ${code} ${reason}: refused`),
        );
        // The request was the streaming list, not a LIST.
        expect(api.requests.map((r) => r.verb)).toEqual(['watch']);
        expect(api.requests[0]?.url.searchParams.get('sendInitialEvents')).toBe('true');
      } finally {
        h.close();
        await api.close();
      }
    },
  );

  it('a garbled line of the streaming initial list: DecodeError naming the verb list', async () => {
    const api = await fakeApi({ watch: streams(['{"type":"ADDED","object": not json\n']) });
    const h = harness(api.kubeConfig(), { reflector: { watchList: 'always' } });
    try {
      const health = await h.health((x) => x.lastError instanceof DecodeError);
      expect((health.lastError as DecodeError).context.verb).toBe('list');
      expect(health.lastError?.message).toMatch(
        /^list configmaps in namespace "shop": a watch line is not JSON/,
      );
    } finally {
      h.close();
      await api.close();
    }
  });

  it('the watch after a LIST: the error still names the verb watch (control)', async () => {
    const api = await fakeApi({ watch: refuse(403, 'Forbidden') });
    const h = harness(api.kubeConfig());
    try {
      const error = await h.fatal();
      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as KubeApiError).verb).toBe('watch');
      expect((error as Error).message).toMatch(/^watch configmaps in namespace "shop": 403 Forbidden/);
      expect(api.requests.map((r) => r.verb)).toEqual(['list', 'watch']);
    } finally {
      h.close();
      await api.close();
    }
  });
});
