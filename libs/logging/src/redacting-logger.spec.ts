import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '@rxinformer/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { consoleLogger } from './console-logger.js';
import { redactingLogger } from './redacting-logger.js';

// Every value here must never appear in a log line.
const SECRETS = {
  secretData: 'c3VwZXJzZWNyZXQtcGFzc3dvcmQ=',
  stringData: 'plain-string-data-secret',
  listItemData: 'bGlzdC1pdGVtLXNlY3JldA==',
  bearer: 'sha256~AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  bearerInError: 'errTokenValue0987654321abcdef',
  jwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXNpZw',
  password: 'hunter2-very-secret',
  keyData: 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tS0VZ',
  certData: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tQ0VSVA',
  kubeConfigToken: 'kc-token-0123456789abcdefghij',
  kubeConfigPassword: 'kc-password-zyxwvu',
  apiKey: 'x-api-key-value-1234',
  session: 'session-id-5678-secret',
  childToken: 'child-binding-token-4242',
  urlPassword: 's3cr3tpass',
  cookie: 'sid=cookie-value-31337',
  basic: 'YWRtaW46cGFzc3dvcmQxMjM=',
  lastApplied: 'bGFzdC1hcHBsaWVkLXNlY3JldA==',
  queryToken: 'query-token-abcdef123',
  inSample: 'c2FtcGxlLWluLWRlY29kZS1lcnJvcg==',
};

function logEverything(log: Logger): void {
  log.info(
    {
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: 'db-credentials',
          namespace: 'shop',
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': `{"apiVersion":"v1","data":{"password":"${SECRETS.lastApplied}"},"kind":"Secret","metadata":{"name":"db-credentials"}}`,
          },
        },
        data: { password: SECRETS.secretData },
        stringData: { 'config.yaml': SECRETS.stringData },
      },
    },
    'secret changed',
  );
  // A LIST item: no kind, recognised by its string `type` next to `data`.
  log.debug({
    items: [
      { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.key': SECRETS.listItemData } },
    ],
  });
  log.warn({
    request: {
      method: 'GET',
      headers: { Authorization: `Bearer ${SECRETS.bearer}`, Cookie: SECRETS.cookie },
    },
  });
  log.warn({ attempt: 2 }, `retrying GET /api/v1/pods with Bearer ${SECRETS.bearer}`);
  log.error(
    { err: new Error(`401 from server, sent "Authorization: Bearer ${SECRETS.bearerInError}"`) },
    'list failed',
  );
  log.error(
    { err: new Error('wrapped', { cause: new Error(`token ${SECRETS.jwt} rejected`) }) },
    'wrapped failure',
  );
  log.info(
    {
      users: [
        {
          name: 'admin',
          user: {
            token: SECRETS.jwt,
            password: SECRETS.password,
            'client-key-data': SECRETS.keyData,
            'client-certificate-data': SECRETS.certData,
          },
        },
      ],
    },
    'kubeconfig loaded',
  );
  log.info({
    proxy: `https://admin:${SECRETS.urlPassword}@proxy.local:3128`,
    auth: `Basic ${SECRETS.basic}`,
  });
  log.info({ url: `https://api.local/api?watch=1&token=${SECRETS.queryToken}` });
  // A decode error's sample: the start of a watch line, cut anywhere.
  const line = `{"type":"MODIFIED","object":{"kind":"Secret","apiVersion":"v1","data":{"db-pass":"${SECRETS.inSample}","user":"YWRt`;
  log.warn({ err: Object.assign(new Error('watch secrets: not JSON'), { sample: line }) }, 'bad watch line');
  log.info({ request: { headers: { 'x-api-key': SECRETS.apiKey } }, sessionId: SECRETS.session });
  log.child({ bearerToken: SECRETS.childToken, component: 'reflector' }).info({}, 'child line');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [
      {
        name: 'u',
        token: SECRETS.kubeConfigToken,
        password: SECRETS.kubeConfigPassword,
        keyData: SECRETS.keyData,
      },
    ],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  log.debug({ kubeConfig: kc }, 'using kubeconfig');
}

const options = { paths: ['request.headers.x-api-key'], keys: ['sessionId'] };

function expectRedacted(output: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(output.includes(value), `${name} leaked: ${value}`).toBe(false);
  }
  // What is not secret stays readable.
  for (const kept of [
    'db-credentials',
    '"password"',
    'tls.key',
    'GET /api/v1/pods',
    'proxy.local:3128',
    'reflector',
    'https://127.0.0.1:6443',
    'kubeconfig loaded',
    '[REDACTED]',
    'x-api-key',
  ]) {
    expect(output).toContain(kept);
  }
}

describe('redactingLogger', () => {
  it('keeps every secret out of a pino logger writing to memory', () => {
    const chunks: string[] = [];
    const log = pino({ level: 'trace' }, { write: (chunk: string) => chunks.push(chunk) });
    logEverything(redactingLogger(log, options));
    const output = chunks.join('');
    expect(chunks.length).toBe(13);
    expectRedacted(output);
    // Unchanged errors reach pino as errors: its serializer still writes type and stack.
    expect(output).toContain('"type":"Error"');
    expect(output).toContain('"stack":"Error: wrapped');
  });

  it('keeps every secret out of the console logger', () => {
    const lines: string[] = [];
    logEverything(
      redactingLogger(
        consoleLogger({ level: 'trace', stream: { write: (l: string) => lines.push(l) } }),
        options,
      ),
    );
    expect(lines.length).toBe(13);
    expectRedacted(lines.join(''));
  });

  it('keeps every secret out of pretty console lines', () => {
    const lines: string[] = [];
    const log = consoleLogger({
      level: 'trace',
      format: 'pretty',
      stream: { write: (l: string) => lines.push(l) },
    });
    logEverything(redactingLogger(log, options));
    expectRedacted(lines.join(''));
  });

  it('redacts configured paths with wildcards and keeps Secret data keys', () => {
    const seen: Array<[Record<string, unknown>, string | undefined]> = [];
    const inner: Logger = {
      trace: (f, m) => seen.push([f, m]),
      debug: (f, m) => seen.push([f, m]),
      info: (f, m) => seen.push([f, m]),
      warn: (f, m) => seen.push([f, m]),
      error: (f, m) => seen.push([f, m]),
      fatal: (f, m) => seen.push([f, m]),
      child: () => inner,
    };
    const log = redactingLogger(inner, { paths: ['clusters.*.apiKey', 'a["b.c"].d'], censor: '***' });
    log.info({
      clusters: [
        { name: 'x', apiKey: 'k1' },
        { name: 'y', apiKey: 'k2' },
      ],
      a: { 'b.c': { d: 'v', e: 'w' } },
    });
    log.info({ kind: 'Secret', data: { username: 'YWRtaW4=' } });
    log.info({ kind: 'ConfigMap', data: { setting: 'visible' } });
    expect(seen).toEqual([
      [
        {
          clusters: [
            { name: 'x', apiKey: '***' },
            { name: 'y', apiKey: '***' },
          ],
          a: { 'b.c': { d: '***', e: 'w' } },
        },
        undefined,
      ],
      [{ kind: 'Secret', data: { username: '***' } }, undefined],
      [{ kind: 'ConfigMap', data: { setting: 'visible' } }, undefined],
    ]);
  });

  it('never mutates what it is given, passes untouched values by reference, and survives cycles', () => {
    const seen: Array<Record<string, unknown>> = [];
    const record = (f: Record<string, unknown>) => void seen.push(f);
    const inner: Logger = {
      trace: record,
      debug: record,
      info: record,
      warn: record,
      error: record,
      fatal: record,
      child: () => inner,
    };
    const log = redactingLogger(inner);
    const frozen = Object.freeze({
      kind: 'Secret',
      data: Object.freeze({ k: 'djE=' }),
      metadata: Object.freeze({ name: 's' }),
    });
    const clean = { resource: 'pods', nested: { a: [1, 2, 3] } };
    const loop: Record<string, unknown> = { token: 't0k3n-l00p' };
    loop.self = loop;
    log.info({ object: frozen });
    log.info(clean);
    log.info(loop);
    expect(frozen.data.k).toBe('djE=');
    expect(seen[0]).toEqual({
      object: { kind: 'Secret', data: { k: '[REDACTED]' }, metadata: { name: 's' } },
    });
    expect((seen[0]?.object as { metadata: unknown }).metadata).toBe(frozen.metadata);
    expect(seen[1]).toBe(clean);
    expect(seen[2]).toEqual({ token: '[REDACTED]', self: '[Circular]' });
  });

  it('forwards isLevelEnabled of a level-aware logger', () => {
    const log = redactingLogger(pino({ level: 'info' }, { write: () => undefined })) as Logger & {
      isLevelEnabled?: (level: string) => boolean;
    };
    expect(log.isLevelEnabled?.('debug')).toBe(false);
    expect(log.isLevelEnabled?.('warn')).toBe(true);
  });

  it('writes the line without its fields, never unredacted ones, when the fields cannot be read', () => {
    const seen: Array<[Record<string, unknown>, string | undefined]> = [];
    const bindings: Array<Record<string, unknown>> = [];
    const inner: Logger = {
      trace: (f, m) => seen.push([f, m]),
      debug: (f, m) => seen.push([f, m]),
      info: (f, m) => seen.push([f, m]),
      warn: (f, m) => seen.push([f, m]),
      error: (f, m) => seen.push([f, m]),
      fatal: (f, m) => seen.push([f, m]),
      child: (b) => (bindings.push(b), inner),
    };
    const log = redactingLogger(inner);
    const unreadable = {
      token: SECRETS.kubeConfigToken,
      get spec(): never {
        throw new TypeError(`cannot read ${SECRETS.password}`);
      },
    };
    log.warn(unreadable, `retrying with Bearer ${SECRETS.bearer}`);
    const badMessage = {
      toString(): string {
        throw new Error('no text');
      },
    } as unknown as string;
    log.error({ attempt: 1 }, badMessage);
    log.child(unreadable).info({}, 'from the child');
    expect(seen).toEqual([
      [{ redactionFailed: 'TypeError' }, 'retrying with Bearer [REDACTED]'],
      [{ attempt: 1 }, '[message not redacted: Error]'],
      [{}, 'from the child'],
    ]);
    expect(bindings).toEqual([{ redactionFailed: 'TypeError' }]);
    const written = JSON.stringify([seen, bindings]);
    for (const secret of Object.values(SECRETS)) expect(written).not.toContain(secret);
  });
});
