// Bad kubeconfigs: each fails with a message naming the problem, at load (client-node's own
// errors), at construction (KubeConfigError) or on the first request (KubeConfigError or a
// transient ConnectionError on health$ for a context pointing nowhere).
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, KubeConfigError, createInformerFactory } from '../../src/index.js';
import { fakeApi, harness } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'rxinformer-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CLUSTER = 'clusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\n';
const CONTEXT = 'contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n';

function load(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

function constructionError(text: string): unknown {
  try {
    createInformerFactory({ kubeConfig: load(text) });
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('kubeconfigs that cannot be loaded (client-node rejects them; nothing to construct)', () => {
  it.each([
    ['an empty document', '', /clusters|expected a document/],
    ['a YAML syntax error', 'apiVersion: v1\nclusters: [\n', /end of the stream|flow collection|indentation/],
    [
      'a cluster without a name',
      'clusters:\n- cluster: {server: "https://127.0.0.1:1"}\n',
      /clusters\[0\]\.name is missing/,
    ],
    ['a cluster entry without its cluster', 'clusters:\n- name: c\n', /clusters\[0\]\.cluster is missing/],
    [
      'a cluster without a server',
      'clusters:\n- name: c\n  cluster: {}\n',
      /clusters\[0\]\.cluster\.server is missing/,
    ],
    [
      'a context entry without its context',
      `${CLUSTER}contexts:\n- name: x\ncurrent-context: x\n`,
      /contexts\[0\]\.context is missing/,
    ],
  ])('%s', (_name, text, message) => {
    expect(() => load(text)).toThrow(message);
  });

  it('a missing file', () => {
    expect(() => new KubeConfig().loadFromFile(join(dir, 'does-not-exist'))).toThrow(/ENOENT/);
  });
});

describe('kubeconfigs that load but cannot be used: KubeConfigError at construction', () => {
  it.each([
    ['no current-context', `${CLUSTER}contexts:\n- name: x\n  context: {cluster: c}\n`, /no current context/],
    ['clusters that is not a list', 'apiVersion: v1\nclusters: oops\n', /no current context/],
    ['a document that is a list', '- a\n- b\n', /no current context/],
    ['a scalar document', 'hello', /no current context/],
    [
      'current-context naming no context',
      `${CLUSTER}contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: y\n`,
      /current context "y" is not defined/,
    ],
    [
      'a context naming no cluster',
      `${CLUSTER}contexts:\n- name: x\n  context: {cluster: zz}\ncurrent-context: x\n`,
      /names cluster "zz", which the kubeconfig does not define/,
    ],
    [
      'a context naming no user',
      `${CLUSTER}${CONTEXT}`,
      /names user "u", which the kubeconfig does not define/,
    ],
    [
      'a server that is not a URL',
      'clusters:\n- name: c\n  cluster: {server: "not a url"}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n',
      /cluster "c" has an invalid server URL/,
    ],
    [
      'a server with an ftp: scheme',
      'clusters:\n- name: c\n  cluster: {server: "ftp://127.0.0.1"}\ncontexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n',
      /server must be http\(s\), not ftp:/,
    ],
  ])('%s', (_name, text, message) => {
    const error = constructionError(text);
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('kubeconfigs that fail on the first request: KubeConfigError, fatal, naming the problem', () => {
  const user = (body: string) => `${CLUSTER}users:\n- name: u\n  user:\n${body}\n${CONTEXT}`;

  it.each([
    [
      'a certificate-authority file that does not exist',
      `clusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1", certificate-authority: "${join(dir, 'no-ca.crt')}"}\nusers:\n- name: u\n  user: {token: t}\n${CONTEXT}`,
      /no-ca\.crt|ENOENT/,
    ],
    [
      'a client-certificate file that does not exist',
      user(
        `    client-certificate: "${join(dir, 'no-client.crt')}"\n    client-key: "${join(dir, 'no-client.key')}"`,
      ),
      /no-client|ENOENT/,
    ],
    [
      'a token file that does not exist (client-node reads token-file at load)',
      user(`    token-file: "${join(dir, 'no-token')}"`),
      /no-token|ENOENT/,
    ],
    [
      'an exec plugin that does not exist',
      user(
        '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: rxinformer-no-such-plugin\n      interactionMode: Never',
      ),
      /rxinformer-no-such-plugin|ENOENT/,
    ],
  ])('%s', async (_name, text, message) => {
    let kc: KubeConfig;
    try {
      kc = load(text);
    } catch (e) {
      // client-node read the file eagerly: the load names it, which is as good.
      expect((e as Error).message).toMatch(message);
      return;
    }
    const h = harness(kc);
    try {
      const error = await h.fatal();
      expect(error).toBeInstanceOf(KubeConfigError);
      expect((error as Error).message).toMatch(/could not get credentials/);
      expect(`${(error as Error).message} ${String((error as Error).cause)}`).toMatch(message);
      expect(h.informer.health.phase).toBe('failed');
    } finally {
      h.close();
    }
  });

  it('an http:// server without insecure-skip-tls-verify (client-node refuses plain HTTP then)', async () => {
    const h = harness(
      load(
        `clusters:\n- name: c\n  cluster: {server: "http://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\n${CONTEXT}`,
      ),
    );
    try {
      const error = await h.fatal();
      expect(error).toBeInstanceOf(KubeConfigError);
      expect((error as Error).message).toMatch(/HTTP protocol is not allowed when skipTLSVerify is not set/);
    } finally {
      h.close();
    }
  });

  it.each([
    ['a token with a trailing newline (as read from a file)', 'abc123\n'],
    ['a token with characters a header cannot carry', 'tökén✓'],
  ])(
    '%s: KubeConfigError naming the header, no unhandled rejection, no hang in listing',
    async (_name, token) => {
      const api = await fakeApi({});
      const h = harness(api.kubeConfig({ token }));
      try {
        // Bounded: today KubeTransport.send lets https.request's synchronous ERR_INVALID_CHAR
        // escape as an unhandled rejection and the informer stays in "listing" forever.
        const outcome = await Promise.race([
          h.fatal(),
          new Promise((resolve) => setTimeout(() => resolve(`still ${h.informer.health.phase}`), 3_000)),
        ]);
        expect(outcome).toBeInstanceOf(KubeConfigError);
        expect((outcome as Error).message).toMatch(/Authorization|header|token/i);
        expect((outcome as Error).message).not.toContain(token.trim());
      } finally {
        h.close();
        await api.close();
      }
    },
  );

  it('an exec plugin that prints something that is not an ExecCredential', async () => {
    const script = join(dir, 'bad-plugin.sh');
    writeFileSync(script, '#!/bin/sh\necho "<html>login page</html>"\n', { mode: 0o755 });
    const h = harness(
      load(
        user(
          `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: "${script}"\n      interactionMode: Never`,
        ),
      ),
    );
    try {
      const error = await h.fatal();
      expect(error).toBeInstanceOf(KubeConfigError);
      expect((error as Error).message).toMatch(/could not get credentials from the kubeconfig/);
    } finally {
      h.close();
    }
  });
});

describe('contexts pointing nowhere: transient ConnectionError on health$, retried, never fatal', () => {
  it.each([
    [
      'a port nobody listens on',
      'https://127.0.0.1:1',
      'ECONNREFUSED',
      /cannot reach https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/,
    ],
    [
      'a host name that does not resolve',
      'https://rxinformer-does-not-exist.invalid:6443',
      'ENOTFOUND',
      /cannot reach .*rxinformer-does-not-exist\.invalid.*ENOTFOUND/,
    ],
  ])('%s', async (_name, server, code, message) => {
    const h = harness(
      load(
        `clusters:\n- name: c\n  cluster: {server: "${server}"}\nusers:\n- name: u\n  user: {token: t}\n${CONTEXT}`,
      ),
    );
    try {
      const health = await h.health((x) => x.attempt >= 2);
      expect(health.lastError).toBeInstanceOf(ConnectionError);
      expect((health.lastError as ConnectionError).code).toBe(code);
      expect((health.lastError as ConnectionError).tls).toBe(false);
      expect(health.lastError?.message).toMatch(message);
      expect(h.errors).toEqual([]);
    } finally {
      h.close();
    }
  });
});
