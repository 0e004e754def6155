// @rxinformer/testing: the simulator serves objects to the installed @kubernetes/client-node's own
// API client over TLS with its token, and the rxinformer-sim bin starts.
'use strict';
/* global require, exports, process */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: these files load packages with require() */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

exports.modules = ['@rxinformer/testing', '@rxinformer/core', '@kubernetes/client-node'];

exports.run = async (m, { assert }) => {
  const { Pods } = m['@rxinformer/core'];
  const { CoreV1Api } = m['@kubernetes/client-node'];
  const server = await m['@rxinformer/testing'].createKubeApiServer({ seed: 1 });
  try {
    server.create(Pods, { metadata: { name: 'web-1', namespace: 'shop' }, spec: { containers: [] } });
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'shop' });
    assert.deepEqual(
      pods.items.map((pod) => pod.metadata?.name),
      ['web-1'],
    );
  } finally {
    await server.close();
  }
  const bin = join(process.cwd(), 'node_modules', '.bin', 'rxinformer-sim');
  const help = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.match(help, /--kubeconfig-out/);
};
