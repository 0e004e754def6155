import { CoreV1Api } from '@kubernetes/client-node';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, loopbackCertificates, type KubeApiServer } from '../src/index.js';
import { raw } from './support.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await createKubeApiServer({ seed: 1 });
});
afterAll(() => server.close());

describe('TLS and authentication', () => {
  it('serves a certificate for 127.0.0.1 and localhost signed by the CA it hands out', () => {
    const { caPem, certPem } = loopbackCertificates();
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(ca.ca).toBe(true);
    expect(server.caPem).toBe(caPem);
  });

  it('lets client-node connect with the kubeconfig it provides (TLS verified)', async () => {
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual([
      'default',
      'kube-node-lease',
      'kube-public',
      'kube-system',
    ]);
  });

  it('answers 401 with an Unauthorized Status for a missing or wrong token', async () => {
    for (const token of [null, 'wrong']) {
      const res = await raw(server, '/api/v1/pods', { token });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  it('serves health and version without a token', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const res = await raw(server, path, { token: null });
      expect([res.status, res.text]).toEqual([200, 'ok']);
    }
    const version = await raw(server, '/version', { token: null });
    expect(version.json()).toMatchObject({ major: '1', minor: '34', gitVersion: 'v1.34.0' });
  });

  it('writes a kubeconfig that client-node loads', async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { mkdtemp, readFile, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = `${await mkdtemp(`${tmpdir()}/rxsim-`)}/kubeconfig`;
    await server.writeKubeconfig(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(path, 'utf8'));
    expect(kc.getCurrentCluster()?.server).toBe(server.url);
    const list = await kc.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.length).toBe(4);
  });
});

describe('discovery', () => {
  it('lists the core version and groups', async () => {
    expect((await raw(server, '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await raw(server, '/apis')).json<{
      groups: { name: string; preferredVersion: { groupVersion: string } }[];
    }>();
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'batch',
        'coordination.k8s.io',
        'discovery.k8s.io',
        'apiextensions.k8s.io',
      ]),
    );
    expect(groups.groups.find((g) => g.name === 'apps')?.preferredVersion.groupVersion).toBe('apps/v1');
    expect((await raw(server, '/apis/apps')).json()).toMatchObject({
      kind: 'APIGroup',
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
    });
  });

  it('describes every resource of a group version with verbs, short names and status subresources', async () => {
    const core = (await raw(server, '/api/v1')).json<{
      groupVersion: string;
      resources: {
        name: string;
        kind: string;
        namespaced: boolean;
        verbs: string[];
        shortNames?: string[];
      }[];
    }>();
    expect(core.groupVersion).toBe('v1');
    const pods = core.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(pods?.verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    expect(core.resources.find((r) => r.name === 'pods/status')?.verbs).toEqual(['get', 'patch', 'update']);
    expect(core.resources.find((r) => r.name === 'nodes')?.namespaced).toBe(false);
    const apps = (await raw(server, '/apis/apps/v1')).json<{ resources: { name: string }[] }>();
    expect(apps.resources.map((r) => r.name)).toContain('deployments');
  });

  it('answers 404 NotFound in the real shape for unknown resources, groups and openapi', async () => {
    for (const path of [
      '/api/v1/widgets',
      '/apis/nope.example.com/v1',
      '/apis/apps/v9',
      '/openapi/v2',
      '/api/v1/namespaces/default/nodes',
      '/api/v1/pods/x',
      '/api/v1/namespaces/default/pods/x/log',
    ]) {
      const res = await raw(server, path);
      expect(res.status, path).toBe(404);
      expect(res.json(), path).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the server could not find the requested resource',
        reason: 'NotFound',
        details: {},
        code: 404,
      });
    }
  });
});

describe('openapi', () => {
  it('publishes a minimal OpenAPI v3 that tells kubectl the server validates fields, and no v2', async () => {
    const root = (await raw(server, '/openapi/v3')).json<{
      paths: Record<string, { serverRelativeURL: string }>;
    }>();
    expect(Object.keys(root.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1']));
    const doc = (await raw(server, root.paths['api/v1']?.serverRelativeURL ?? '')).json<{
      paths: Record<
        string,
        { patch?: { parameters: { name: string }[]; 'x-kubernetes-group-version-kind': object } }
      >;
    }>();
    const patch = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
    });
    expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
    expect((await raw(server, '/openapi/v3/apis/nope/v1')).status).toBe(404);
  });
});

describe('request log', () => {
  it('records method, path, query, verb, watch flag, user agent and status', async () => {
    server.clearRequests();
    await raw(server, '/api/v1/namespaces/default/configmaps?limit=5', {
      headers: { 'User-Agent': 'probe/1.0' },
    });
    await raw(server, '/api/v1/namespaces/default/configmaps/missing');
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/v1/namespaces/default/configmaps',
        query: { limit: '5' },
        verb: 'list',
        watch: false,
        userAgent: 'probe/1.0',
        resource: 'configmaps',
        namespace: 'default',
        status: 200,
      }),
      expect.objectContaining({ verb: 'get', status: 404 }),
    ]);
  });

  it('resolves nextRequest with the next matching request', async () => {
    const next = server.nextRequest({ verb: 'get', path: /\/configmaps\/awaited$/ });
    await raw(server, '/api/v1/namespaces/default/configmaps');
    await raw(server, '/api/v1/namespaces/default/configmaps/awaited');
    expect((await next).path).toBe('/api/v1/namespaces/default/configmaps/awaited');
  });
});
