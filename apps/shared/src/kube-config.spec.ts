import { KubeConfigError } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { tempDir, writeKubeconfig } from '../test/kubeconfigs.js';
import { loadKubeConfig, wantsCluster } from './kube-config.js';

const dir = tempDir();

describe('loadKubeConfig', () => {
  it('loads a file and switches context', () => {
    const file = writeKubeconfig(dir, 'ok', { server: 'https://10.0.0.1:6443' });
    const kc = loadKubeConfig({ kubeconfig: file, context: 'ctx' });
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
  });

  it('says what to do when there is no current context, or the context is unknown, or the file is missing', () => {
    const file = writeKubeconfig(dir, 'none', { server: 'https://10.0.0.1:6443', currentContext: '' });
    expect(() => loadKubeConfig({ kubeconfig: file })).toThrow(
      new KubeConfigError(
        `kubeconfig "${file}" has no current context (available: ctx): pass --context NAME, or run "kubectl config use-context NAME"`,
      ),
    );
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'prod' })).toThrow(
      /context "prod" is not in kubeconfig .* \(available: ctx\): pass one of those to --context/,
    );
    expect(() => loadKubeConfig({ kubeconfig: `${dir}/missing` })).toThrow(
      /kubeconfig file ".*missing" does not exist: check the --kubeconfig path/,
    );
  });
});

describe('wantsCluster', () => {
  it('is true with --kubeconfig, --context or KUBECONFIG, else the simulator runs', () => {
    expect(wantsCluster({}, {})).toBe(false);
    expect(wantsCluster({}, { KUBECONFIG: '/k' })).toBe(true);
    expect(wantsCluster({ context: 'kind' }, {})).toBe(true);
  });
});
