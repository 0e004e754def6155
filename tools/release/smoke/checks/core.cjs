// @rxinformer/core: an informer on the simulator caches a ConfigMap written through the factory's
// client (read-your-writes), and a missing object is the typed ResourceNotFoundError.
'use strict';
/* global exports */

exports.modules = ['@rxinformer/core', '@rxinformer/testing'];

exports.run = async (m, { assert, within }) => {
  const { ConfigMaps, ResourceNotFoundError, createInformerFactory, objectKey } = m['@rxinformer/core'];
  const server = await m['@rxinformer/testing'].createKubeApiServer({ seed: 1 });
  const informers = createInformerFactory({ kubeConfig: server.kubeConfig });
  try {
    const configMaps = informers.informer(ConfigMaps, { namespace: 'smoke' });
    configMaps.start();
    await within(configMaps.synced, 10_000, 'the first sync');
    assert.equal(configMaps.store.size, 0);

    const client = informers.client.resource(ConfigMaps, { namespace: 'smoke' });
    const created = await client.create({ metadata: { name: 'greeting' }, data: { hello: 'world' } });
    await within(configMaps.waitFor(created), 10_000, 'the created ConfigMap in the cache');
    assert.equal(objectKey(created), 'smoke/greeting');
    assert.deepEqual(configMaps.store.get('smoke/greeting')?.data, { hello: 'world' });

    await assert.rejects(client.get('missing'), ResourceNotFoundError);
  } finally {
    informers.shutdown();
    await server.close();
  }
};
