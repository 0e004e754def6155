// TLS verification is on unless the kubeconfig turns it off; a certificate the kubeconfig's CA
// did not sign, an expired one or one for another name is a fatal ConnectionError (tls: true)
// before the first connection. The simulator rejects missing and wrong tokens with 401.
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, kubeConfigFor, type KubeApiServer } from '@rxinformer/testing';
import { ConfigMaps, ConnectionError, UnauthorizedError, createInformerFactory } from '../../src/index.js';
import { fakeApi, harness, pki, type FakeApi, type Harness } from './support.js';

let api: FakeApi | undefined;
let sim: KubeApiServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  h?.close();
  h = undefined;
  await api?.close();
  api = undefined;
  await sim?.close();
  sim = undefined;
});

async function tlsFailure(serverPki: ReturnType<typeof pki>, trustedCaPem: string) {
  api = await fakeApi({ tls: serverPki });
  h = harness(api.kubeConfig({ caPem: trustedCaPem }));
  const error = await h.fatal();
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as ConnectionError).tls).toBe(true);
  // Delivered as fatal, and says so: retrying the same request against this certificate cannot help.
  expect((error as ConnectionError).transient).toBe(false);
  expect((error as Error).message).toMatch(/TLS verification of https:\/\/127\.0\.0\.1:\d+ failed/);
  expect((error as Error).message).toMatch(/certificate-authority/);
  expect(h.informer.health.phase).toBe('failed');
  expect(h.informer.health.synced).toBe(false);
  // Fatal at the first attempt: no retry loop against a server we cannot trust.
  expect(api.requests).toHaveLength(0);
  return error as ConnectionError;
}

describe('TLS', () => {
  it('a server certificate not signed by the kubeconfig CA: fatal ConnectionError, tls true', async () => {
    const error = await tlsFailure(pki('valid'), pki('valid').caPem);
    expect(error.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('a kubeconfig without any CA and a private CA on the server: verification still on (system roots)', async () => {
    api = await fakeApi({ tls: pki('valid') });
    h = harness(api.kubeConfig());
    const error = await h.fatal();
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).tls).toBe(true);
    expect((error as ConnectionError).transient).toBe(false);
  });

  it('an expired server certificate signed by the right CA: fatal, code CERT_HAS_EXPIRED', async () => {
    const expired = pki('expired');
    const error = await tlsFailure(expired, expired.caPem);
    expect(error.code).toBe('CERT_HAS_EXPIRED');
  });

  it('a certificate for another name: fatal, code ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const other = pki('wrong-name');
    const error = await tlsFailure(other, other.caPem);
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('insecure-skip-tls-verify: true in the kubeconfig turns verification off (and only then)', async () => {
    api = await fakeApi({ tls: pki('expired') });
    h = harness(api.kubeConfig({ insecure: true }));
    await h.informer.synced;
    expect(h.informer.store.size).toBe(2);
  });

  it('the right CA and a valid certificate: syncs (control)', async () => {
    const good = pki('valid');
    api = await fakeApi({ tls: good });
    h = harness(api.kubeConfig({ caPem: good.caPem }));
    await h.informer.synced;
    expect(api.requests[0]?.authorization).toBe('Bearer bad-input-token-0123456789');
  });
});

describe('authentication against the simulator', () => {
  it.each([
    ['a wrong token', 'not-the-token'],
    ['no token', undefined],
  ])(
    '%s: 401 from the simulator, UnauthorizedError, fatal, message without the token',
    async (_name, token) => {
      sim = await createKubeApiServer();
      sim.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' }, data: {} });
      const kc = kubeConfigFor({ url: sim.url, caPem: sim.caPem, token: token ?? '' });
      if (token === undefined) kc.users = kc.users.map((u) => ({ name: u.name }));
      h = harness(kc);
      const error = await h.fatal();
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect((error as Error).message).toMatch(/^list configmaps in namespace "shop": 401 Unauthorized/);
      expect(sim.requests.at(-1)?.status).toBe(401);
      if (token) expect((error as Error).message).not.toContain(token);
      expect(h.informer.store.size).toBe(0);
    },
  );

  it('the right token: syncs (control)', async () => {
    sim = await createKubeApiServer();
    sim.create(ConfigMaps, { metadata: { name: 'a', namespace: 'shop' }, data: {} });
    const factory = createInformerFactory({ kubeConfig: sim.kubeConfig, lingerMs: 0 });
    const informer = factory.informer(ConfigMaps, { namespace: 'shop' });
    const sub = informer.start();
    try {
      await informer.synced;
      expect(informer.store.size).toBe(1);
    } finally {
      sub.unsubscribe();
      factory.shutdown();
    }
  });
});
