import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer } from '@rxinformer/kube-apiserver-harness';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kubeJson } from '../libs/controller/test/support/kube-json.js';

// @rxinformer/controller on a real kube-apiserver + etcd, each replica its own OS process
// (libs/controller/test/support/controller-replica.ts): leader failover after kill -9, clean
// handover on SIGTERM, and sharding with replicas joining, leaving and crashing while objects churn.

const root = fileURLToPath(new URL('..', import.meta.url));
const eventually = (assertion: () => void | Promise<void>) =>
  vi.waitFor(assertion, { timeout: 60_000, interval: 100 });
const now = () => performance.timeOrigin + performance.now();

interface Fact {
  ev: string;
  id: string;
  t: number;
  key?: string;
  leader?: boolean;
  active?: boolean;
  members?: string[];
}

let kube: KubeApiServer;
let kc: KubeConfig;
const children: ChildProcess[] = [];

beforeAll(async () => {
  kube = await startKubeApiServer();
  kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfigPath);
}, 180_000);
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await kube?.stop();
});

class Replica {
  readonly facts: Fact[];
  readonly child: ChildProcess;
  killedAt: number | undefined;
  constructor(
    readonly id: string,
    mode: 'leader' | 'shard',
    namespace: string,
    all: Fact[],
  ) {
    this.facts = all;
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', 'libs/controller/test/support/controller-replica.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          KUBECONFIG: kube.kubeconfigPath,
          IDENTITY: id,
          MODE: mode,
          NAMESPACE: namespace,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(this.child);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) all.push(JSON.parse(line) as Fact);
    });
  }
  kill(): void {
    this.killedAt = now();
    this.child.kill('SIGKILL');
  }
  async terminate(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function createNamespace(name: string) {
  await kubeJson(kc, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
}
const cmPath = (ns: string, name = '') => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
async function setValue(ns: string, name: string, v: string) {
  await kubeJson(kc, 'PATCH', cmPath(ns, name), { data: { v } }, 'application/merge-patch+json');
}
async function unreconciled(ns: string): Promise<string[]> {
  type Cm = {
    metadata: { name: string; annotations?: Record<string, string> };
    data?: Record<string, string>;
  };
  const list = await kubeJson<{ items: Cm[] }>(kc, 'GET', `${cmPath(ns)}?labelSelector=e2e%3Dcontroller`);
  return list.items
    .filter((c) => c.data?.['v'] !== c.metadata.annotations?.['example.com/reconciled'])
    .map((c) => c.metadata.name);
}

/** Pairs start/end facts per replica and key; an interval left open by a kill ends at the kill. */
function overlaps(facts: readonly Fact[], replicas: readonly Replica[]): string[] {
  const open = new Map<string, number>();
  const intervals = new Map<string, { id: string; from: number; to: number }[]>();
  const push = (key: string, id: string, from: number, to: number) =>
    intervals.set(key, [...(intervals.get(key) ?? []), { id, from, to }]);
  for (const f of facts) {
    if (f.ev === 'start') open.set(`${f.id}\0${f.key}`, f.t);
    if (f.ev === 'end') {
      push(f.key!, f.id, open.get(`${f.id}\0${f.key}`)!, f.t);
      open.delete(`${f.id}\0${f.key}`);
    }
  }
  for (const [k, from] of open) {
    const [id, key] = k.split('\0') as [string, string];
    push(key, id, from, replicas.find((r) => r.id === id)?.killedAt ?? Infinity);
  }
  const found: string[] = [];
  for (const [key, list] of intervals) {
    list.sort((a, b) => a.from - b.from);
    for (let i = 1; i < list.length; i++)
      if (list[i]!.from < list[i - 1]!.to) found.push(`${key}: ${list[i - 1]!.id} and ${list[i]!.id}`);
  }
  return found;
}

describe('controller on kube-apiserver, one OS process per replica', () => {
  it('fails over to a standby after kill -9, and hands over cleanly on SIGTERM', async () => {
    const ns = 'e2e-leader';
    await createNamespace(ns);
    for (let i = 0; i < 20; i++) {
      await kubeJson(kc, 'POST', cmPath(ns), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, labels: { e2e: 'controller' } },
        data: { v: '1' },
      });
    }
    const facts: Fact[] = [];
    const replicas = ['a', 'b', 'c'].map((id) => new Replica(id, 'leader', ns, facts));
    const leaders = () => facts.filter((f) => f.ev === 'leader' && f.leader);
    await eventually(() => expect(leaders()).toHaveLength(1));
    await eventually(async () => expect(await unreconciled(ns)).toEqual([]));

    const first = replicas.find((r) => r.id === leaders()[0]!.id)!;
    first.kill();
    await eventually(() => expect(leaders()).toHaveLength(2));
    const second = replicas.find((r) => r.id === leaders()[1]!.id)!;
    const takeoverMs = leaders()[1]!.t - first.killedAt!;
    for (let i = 0; i < 20; i++) await setValue(ns, `cm-${i}`, '2');
    await eventually(async () => expect(await unreconciled(ns)).toEqual([]));

    const handoverStart = now();
    await second.terminate();
    await eventually(() => expect(leaders()).toHaveLength(3));
    const third = leaders()[2]!;
    const stopped = facts.find((f) => f.ev === 'stopped' && f.id === second.id)!;
    expect(stopped.t).toBeLessThan(third.t); // the old leader finished and released before the new one led
    const handoverMs = third.t - handoverStart;
    for (let i = 0; i < 20; i++) await setValue(ns, `cm-${i}`, '3');
    await eventually(async () => expect(await unreconciled(ns)).toEqual([]));

    type Lease = { spec: { holderIdentity: string; leaseTransitions: number } };
    const lease = await kubeJson<Lease>(
      kc,
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/e2e-controller`,
    );
    expect(lease.spec).toMatchObject({ holderIdentity: third.id, leaseTransitions: 2 });
    expect(overlaps(facts, replicas)).toEqual([]);
    console.info(
      `leader failover after kill -9: ${takeoverMs.toFixed(0)} ms (lease 2000 ms, retry 300 ms); clean handover on SIGTERM: ${handoverMs.toFixed(0)} ms`,
    );
    await Promise.all(replicas.filter((r) => r !== first && r !== second).map((r) => r.terminate()));
  });

  it('shards keys over replicas joining, leaving and crashing while objects churn, never reconciling a key twice at once', async () => {
    const ns = 'e2e-shard';
    const count = 150;
    await createNamespace(ns);
    for (let i = 0; i < count; i++) {
      await kubeJson(kc, 'POST', cmPath(ns), {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, labels: { e2e: 'controller' } },
        data: { v: '0' },
      });
    }
    const facts: Fact[] = [];
    const views = (id: string) => facts.filter((f) => f.ev === 'view' && f.id === id);
    const activeWith = (id: string, members: number) =>
      eventually(() => {
        const view = views(id).at(-1);
        expect(view?.active).toBe(true);
        expect(view?.members).toHaveLength(members);
      });
    const replicas = [new Replica('s1', 'shard', ns, facts), new Replica('s2', 'shard', ns, facts)];
    await Promise.all([activeWith('s1', 2), activeWith('s2', 2)]);

    let writes = 0;
    let churning = true;
    const load = (async () => {
      while (churning) {
        await setValue(ns, `cm-${writes % count}`, String(++writes));
        if (writes % 10 === 0) await new Promise((r) => setTimeout(r, 20)); // pace the load generator
      }
    })();

    replicas.push(new Replica('s3', 'shard', ns, facts)); // joins
    await Promise.all(['s1', 's2', 's3'].map((id) => activeWith(id, 3)));
    await eventually(() => expect(facts.some((f) => f.ev === 'wrote' && f.id === 's3')).toBe(true));
    await replicas[0]!.terminate(); // leaves cleanly
    await Promise.all([activeWith('s2', 2), activeWith('s3', 2)]);
    replicas[1]!.kill(); // crashes
    await activeWith('s3', 1);
    const crashTakeoverMs = views('s3').at(-1)!.t - replicas[1]!.killedAt!;
    churning = false;
    await load;
    await eventually(async () => expect(await unreconciled(ns)).toEqual([]));

    expect(overlaps(facts, replicas)).toEqual([]);
    const wrote = (id: string) => facts.filter((f) => f.ev === 'wrote' && f.id === id).length;
    expect(wrote('s1')).toBeGreaterThan(0);
    expect(wrote('s2')).toBeGreaterThan(0);
    expect(wrote('s3')).toBeGreaterThan(0);
    console.info(
      `sharding: ${count} objects, ${writes} churn writes; reconcile writes s1 ${wrote('s1')}, s2 ${wrote('s2')}, s3 ${wrote('s3')}; ` +
        `keys of the crashed replica taken over after ${crashTakeoverMs.toFixed(0)} ms`,
    );
    await replicas[2]!.terminate();
  });
});
