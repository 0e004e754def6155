// @rxinformer/controller: a controller on the simulator reconciles a ConfigMap (it marks it
// through the request's client) and counts the reconcile on a prom-client Registry.
'use strict';
/* global exports */

exports.modules = ['@rxinformer/controller', '@rxinformer/core', '@rxinformer/testing', 'prom-client', 'rxjs'];

exports.run = async (m, { assert, within }) => {
  const { ConfigMaps, createInformerFactory } = m['@rxinformer/core'];
  const { filter, firstValueFrom } = m.rxjs;
  const registry = new m['prom-client'].Registry();
  const server = await m['@rxinformer/testing'].createKubeApiServer({ seed: 1 });
  const informers = createInformerFactory({ kubeConfig: server.kubeConfig });
  const configMaps = informers.informer(ConfigMaps, { namespace: 'smoke' });
  const reconciled = [];
  const c = m['@rxinformer/controller'].controller({
    name: 'smoke',
    for: configMaps,
    registry,
    reconcile: async ({ key, object, name, namespace, client, signal }) => {
      reconciled.push(key);
      if (!object || object.data?.reconciled === 'yes') return;
      await client
        .resource(ConfigMaps, { namespace })
        .patch(name, { type: 'merge', patch: { data: { reconciled: 'yes' } } }, { signal });
    },
  });
  try {
    c.start();
    await within(firstValueFrom(c.active$.pipe(filter(Boolean))), 10_000, 'the controller to be active');
    await informers.client.resource(ConfigMaps, { namespace: 'smoke' }).create({ metadata: { name: 'app' } });
    const marked = configMaps.items$.pipe(
      filter((items) => items.some((cm) => cm.metadata?.name === 'app' && cm.data?.reconciled === 'yes')),
    );
    await within(firstValueFrom(marked), 10_000, 'the reconciled ConfigMap');
    assert.ok(reconciled.includes('smoke/app'), `reconciled ${reconciled.join(', ')}`);
    const total = await registry.getSingleMetricAsString('controller_runtime_reconcile_total');
    assert.match(total, /controller_runtime_reconcile_total\{controller="smoke",result="success"\} [1-9]/);
  } finally {
    await c.stop();
    informers.shutdown();
    await server.close();
  }
};
