import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ConfigMaps, Pods, defineResource } from '@rxinformer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { findKubectl, kubectl } from './kubectl.js';

let server: KubeApiServer;
let run: (args: string[], stdin?: string) => ReturnType<typeof kubectl>;
let bin: string;
let kubeconfig: string;
let cacheDir: string;

beforeAll(async () => {
  bin = findKubectl();
  server = await createKubeApiServer({ seed: 31 });
  const dir = await mkdtemp(`${tmpdir()}/rxsim-kubectl-`);
  kubeconfig = `${dir}/config`;
  cacheDir = `${dir}/cache`;
  await server.writeKubeconfig(kubeconfig);
  run = (args, stdin) => kubectl(bin, kubeconfig, cacheDir, args, stdin);
});
afterAll(() => server?.close());

const configMap = (name: string, value: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: kc
  labels: {app: ${name}}
data:
  value: "${value}"
`;

describe('kubectl (Go-built) against the simulator', () => {
  it('gets namespaces, in table and JSON output', async () => {
    const table = await run(['get', 'namespaces']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+CREATED AT\n/);
    expect(table.stdout).toMatch(/^kube-system\s/m);
    const json = await run(['get', 'namespace', 'default', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'Namespace', metadata: { name: 'default' } });
  });

  it('creates from a manifest, refuses a duplicate with AlreadyExists, and deletes', async () => {
    const created = await run(['create', '-f', '-'], configMap('made', '1'));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('configmap/made created');
    expect(server.get(ConfigMaps, 'made', 'kc').data).toEqual({ value: '1' });
    const again = await run(['create', '-f', '-'], configMap('made', '1'));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/AlreadyExists|already exists/);
    const deleted = await run(['delete', 'configmap', 'made', '-n', 'kc']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(server.find(ConfigMaps, 'made', 'kc')).toBeUndefined();
  });

  it('applies client-side (create, then a patch), and server-side', async () => {
    expect((await run(['apply', '-f', '-'], configMap('applied', '1'))).stdout.trim()).toBe(
      'configmap/applied created',
    );
    const updated = await run(['apply', '-f', '-'], configMap('applied', '2'));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout.trim()).toBe('configmap/applied configured');
    expect(server.get(ConfigMaps, 'applied', 'kc').data).toEqual({ value: '2' });
    expect(server.requests.some((r) => r.verb === 'patch' && r.path.endsWith('/configmaps/applied'))).toBe(
      true,
    );
    const unchanged = await run(['apply', '-f', '-'], configMap('applied', '2'));
    expect(unchanged.stdout.trim()).toBe('configmap/applied unchanged');
    const serverSide = await run(
      ['apply', '--server-side', '--force-conflicts', '-f', '-'],
      configMap('applied', '3'),
    );
    expect(serverSide.code, serverSide.stderr).toBe(0);
    expect(server.get(ConfigMaps, 'applied', 'kc').data).toEqual({ value: '3' });
  });

  it('selects by label and by field, and labels objects', async () => {
    for (const [name, node] of [
      ['p1', 'n1'],
      ['p2', 'n2'],
    ] as const) {
      server.create(Pods, {
        metadata: { name, namespace: 'kc', labels: { app: name } },
        spec: { nodeName: node, containers: [] },
      });
    }
    expect((await run(['get', 'pods', '-n', 'kc', '-l', 'app=p2', '-o', 'name'])).stdout.trim()).toBe(
      'pod/p2',
    );
    expect(
      (await run(['get', 'pods', '-A', '--field-selector', 'spec.nodeName=n1', '-o', 'name'])).stdout.trim(),
    ).toBe('pod/p1');
    expect((await run(['label', 'pod', 'p1', '-n', 'kc', 'team=blue'])).code).toBe(0);
    expect(server.get(Pods, 'p1', 'kc').metadata?.labels).toEqual({ app: 'p1', team: 'blue' });
    const bad = await run(['get', 'pods', '-A', '--field-selector', 'spec.nope=1']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/field label not supported: spec\.nope/);
  });

  it('pages through a list with --chunk-size', async () => {
    for (let i = 0; i < 7; i++)
      server.create(ConfigMaps, { metadata: { name: `chunk-${i}`, namespace: 'chunks' } });
    server.clearRequests();
    const listed = await run(['get', 'configmaps', '-n', 'chunks', '--chunk-size=3', '-o', 'name']);
    expect(listed.stdout.trim().split('\n')).toEqual(
      Array.from({ length: 7 }, (_, i) => `configmap/chunk-${i}`),
    );
    const lists = server.requests.filter((r) => r.verb === 'list' && r.namespace === 'chunks');
    expect(lists.map((r) => r.query['limit'])).toEqual(['3', '3', '3']);
    expect(lists.filter((r) => r.query['continue'] !== undefined)).toHaveLength(2);
  });

  it('watches with get -w and prints events as they happen', async () => {
    const child = spawn(
      bin,
      [
        `--kubeconfig=${kubeconfig}`,
        `--cache-dir=${cacheDir}`,
        'get',
        'configmaps',
        '-n',
        'watched',
        '-w',
        '--output-watch-events',
        '-o',
        'json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`kubectl did not print ${pattern}; it printed: ${out}`)),
          10_000,
        );
        const check = (): void => {
          if (pattern.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          check();
        });
        check();
      });
    try {
      await server.waitForWatches(1, { resource: ConfigMaps, namespace: 'watched' });
      server.create(ConfigMaps, { metadata: { name: 'w1', namespace: 'watched' } });
      await seen(/"type":"ADDED".*"name":"w1"/);
      server.delete(ConfigMaps, 'w1', 'watched');
      await seen(/"type":"DELETED".*"name":"w1"/);
    } finally {
      child.kill();
    }
  });

  it('serves a CRD applied with kubectl, then its objects by short name', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: websites.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: websites, singular: website, kind: Website, shortNames: [ws]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
    const created = await run(['apply', '-f', '-'], crd);
    expect(created.code, created.stderr).toBe(0);
    const site = await run(
      ['apply', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Website\nmetadata: {name: home, namespace: kc}\nspec: {url: "https://example.com"}\n',
    );
    expect(site.code, site.stderr).toBe(0);
    expect((await run(['get', 'ws', '-n', 'kc', '-o', 'jsonpath={.items[0].spec.url}'])).stdout).toBe(
      'https://example.com',
    );
    const Websites = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'websites',
      kind: 'Website',
      namespaced: true,
    });
    expect(server.get(Websites, 'home', 'kc')).toMatchObject({ spec: { url: 'https://example.com' } });
  });

  it('reports NotFound like the real server', async () => {
    const missing = await run(['get', 'configmap', 'nope', '-n', 'kc']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
  });
});
