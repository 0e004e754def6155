// One controller replica as its own OS process, for the end-to-end tests of @rxinformer/controller.
// Environment: KUBECONFIG (path), IDENTITY, MODE ('leader' | 'shard'), NAMESPACE.
// Reconciles ConfigMaps labelled e2e=controller: sets annotation example.com/reconciled to data.v.
// Prints one JSON line per fact: {ev:'leader'|'view'|'start'|'end'|'stopped', t, ...}, t in ms (wall clock, sub-ms).
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigMaps, createInformerFactory } from '@rxinformer/core';
import { LeaderElector, ShardMembership, controller, type KeyOwnership } from '@rxinformer/controller';
import { kubeJson } from './kube-json.js';

const identity = process.env['IDENTITY'] ?? `replica-${process.pid}`;
const namespace = process.env['NAMESPACE'] ?? 'default';
const mode = process.env['MODE'] ?? 'leader';
const timings = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 };
const now = () => performance.timeOrigin + performance.now();
const emit = (fact: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...fact, t: now(), id: identity })}\n`);

const kc = new KubeConfig();
kc.loadFromFile(process.env['KUBECONFIG']!);
const factory = createInformerFactory({ kubeConfig: kc, lingerMs: 0 });
let ownership: KeyOwnership;
if (mode === 'leader') {
  const elector = new LeaderElector({
    kubeConfig: kc,
    namespace,
    name: 'e2e-controller',
    identity,
    ...timings,
  });
  elector.leader$.subscribe((leader) => emit({ ev: 'leader', leader }));
  ownership = elector;
} else {
  const shards = new ShardMembership({
    kubeConfig: kc,
    namespace,
    name: 'e2e-controller',
    identity,
    ...timings,
  });
  shards.view$.subscribe((v) => emit({ ev: 'view', active: v.active, members: v.members }));
  ownership = shards;
}

type Cm = { metadata?: { annotations?: Record<string, string> }; data?: Record<string, string> };
const c = controller<Cm>({
  name: 'e2e',
  for: factory.informer(ConfigMaps, { namespace, labelSelector: 'e2e=controller' }) as never,
  ownership,
  concurrency: 4,
  reconcile: async ({ key, name, object, signal }) => {
    emit({ ev: 'start', key });
    try {
      const want = object?.data?.['v'];
      if (!object || want === object.metadata?.annotations?.['example.com/reconciled'] || signal.aborted)
        return;
      const path = `/api/v1/namespaces/${namespace}/configmaps/${name}`;
      await kubeJson(
        kc,
        'PATCH',
        path,
        { metadata: { annotations: { 'example.com/reconciled': want } } },
        'application/merge-patch+json',
      );
      emit({ ev: 'wrote', key, v: want });
    } finally {
      emit({ ev: 'end', key });
    }
  },
});
c.start();

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void c.stop().then(() => {
    emit({ ev: 'stopped' });
    factory.shutdown();
    process.exit(0);
  });
});
emit({ ev: 'ready' });
