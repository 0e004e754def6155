// @rxinformer/batching: batchEvents cuts batches by size, coalesceByKey keeps the net change per
// object, dedupe drops a repeated version.
'use strict';
/* global exports */

exports.modules = ['@rxinformer/batching', 'rxjs'];

const configMap = (name, resourceVersion) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'smoke', resourceVersion },
});

exports.run = async (m, { assert }) => {
  const { batchEvents, coalesceByKey, dedupe } = m['@rxinformer/batching'];
  const { lastValueFrom, of, toArray } = m.rxjs;
  const collect = (source, ...operators) => lastValueFrom(source.pipe(...operators, toArray()));

  const batches = await collect(of(1, 2, 3, 4, 5), batchEvents({ maxSize: 2, maxWait: 50 }));
  assert.deepEqual(batches, [[1, 2], [3, 4], [5]]);

  const a1 = configMap('a', '1');
  const a2 = configMap('a', '2');
  const coalesced = await collect(
    of(
      { type: 'ADDED', object: a1, initial: false },
      { type: 'MODIFIED', object: a2, previous: a1 },
      { type: 'ADDED', object: configMap('b', '3'), initial: false },
      { type: 'DELETED', object: configMap('b', '4'), finalStateUnknown: false },
    ),
    coalesceByKey({ window: 20 }),
  );
  assert.deepEqual(
    coalesced.map((e) => [e.type, e.object.metadata.name, e.object.metadata.resourceVersion]),
    [['ADDED', 'a', '2']],
  );

  const deduped = await collect(
    of({ type: 'MODIFIED', object: a2, previous: a1 }, { type: 'MODIFIED', object: a2, previous: a1 }),
    dedupe(),
  );
  assert.equal(deduped.length, 1);
};
