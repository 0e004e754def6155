// Tokens, client keys and Secret data never appear in logs, errors or metrics: an informer on
// Secrets runs through faults that produce every kind of error, while everything core hands to
// its logger, every error and health.lastError (message, fields, cause, JSON), and the metrics
// text are captured and searched for the credential and secret values.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { filter, firstValueFrom, timeout, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secrets, createInformerFactory, type InformerFactory, type Logger } from '@rxinformer/core';
import { informerMetrics, instrumentInformer, measureEvents } from '@rxinformer/metrics';
import {
  createKubeApiServer,
  kubeconfigDocument,
  loopbackCertificates,
  type KubeApiServer,
} from '@rxinformer/testing';

const TOKEN = 'sekret-token-5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const SECRET_VALUE = 'hunter2-do-not-log-4a7f';
const SECRET_B64 = Buffer.from(SECRET_VALUE).toString('base64');

/** Everything given to a logger, as text: level, message, fields and child bindings. */
function recordingLogger(sink: string[], bindings: Record<string, unknown> = {}): Logger {
  const log = (level: string) => (fields: Record<string, unknown>, message?: string) =>
    sink.push(`${level} ${message ?? ''} ${safeJson({ ...bindings, ...fields })}`);
  return {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    fatal: log('fatal'),
    child: (more) => recordingLogger(sink, { ...bindings, ...more }),
  };
}

function safeJson(value: unknown): string {
  const seen = new WeakSet();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Error)
      return {
        ...v,
        name: v.name,
        message: v.message,
        stack: v.stack,
        cause: v.cause === undefined ? undefined : String(v.cause),
      };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

/** An error as all the text it carries: message, stack, own fields, cause chain. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = error, depth = 0;
    e !== undefined && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    parts.push(String(e), safeJson(e), e instanceof Error ? (e.stack ?? '') : '');
  }
  return parts.join('\n');
}

describe('credentials and Secret data stay out of logs, errors and metrics', () => {
  let server: KubeApiServer;
  let factory: InformerFactory;
  const logs: string[] = [];
  const errors: unknown[] = [];
  const registry = new Registry();
  const subscriptions: Subscription[] = [];
  const clientKeyBody = loopbackCertificates().keyPem.split('\n')[1]!;

  beforeAll(async () => {
    server = await createKubeApiServer({ token: TOKEN, bookmarkIntervalMs: 50, seed: 11 });
    for (let i = 0; i < 5; i++) {
      server.create(Secrets, {
        metadata: { name: `s${i}`, namespace: 'vault' },
        type: 'Opaque',
        data: { password: SECRET_B64 },
        stringData: undefined,
      } as never);
    }
    // A kubeconfig with a bearer token and a client certificate + key.
    const doc = JSON.parse(kubeconfigDocument({ url: server.url, caPem: server.caPem, token: TOKEN })) as {
      users: { user: Record<string, string> }[];
    };
    const tls = loopbackCertificates();
    doc.users[0]!.user['client-certificate-data'] = Buffer.from(tls.certPem).toString('base64');
    doc.users[0]!.user['client-key-data'] = Buffer.from(tls.keyPem).toString('base64');
    const kc = new KubeConfig();
    kc.loadFromString(JSON.stringify(doc));

    factory = createInformerFactory({
      kubeConfig: kc,
      lingerMs: 0,
      logger: recordingLogger(logs),
      reflector: { backoff: { initialMs: 5, maxMs: 20 }, watchdogMs: 200 },
    });
    const secrets = factory.informer(Secrets, { namespace: 'vault' });
    const metrics = informerMetrics(registry);
    subscriptions.push(instrumentInformer(secrets, metrics));
    subscriptions.push(
      secrets.events$
        .pipe(measureEvents(metrics, 'secrets'))
        .subscribe({ error: (e: unknown) => errors.push(e) }),
    );
    subscriptions.push(secrets.health$.subscribe((h) => h.lastError && errors.push(h.lastError)));
    await secrets.synced;

    // Faults that make core describe what went wrong, several of them with the Secret in the line.
    const faults = server.faults;
    const next = (rv: number) =>
      firstValueFrom(
        secrets.health$.pipe(
          filter((h) => h.restarts + h.relists >= rv),
          timeout(10_000),
        ),
      );
    let steps = 0;
    const touch = () =>
      server.patch(
        Secrets,
        's1',
        { data: { password: SECRET_B64, n: Buffer.from(String(steps)).toString('base64') } },
        { namespace: 'vault' },
      );
    for (const fault of [
      () => faults.cutNextWatchLine(),
      () => faults.sendMalformedWatchLine(),
      () => (faults.failNext(2, { code: 503, retryAfterSeconds: 0 }), faults.dropWatches()),
      () => (faults.compactHistory(), faults.dropWatches()),
      () => faults.dropWatches(),
    ]) {
      steps++;
      const before = secrets.health;
      fault();
      touch();
      await next(before.restarts + before.relists + 1);
    }
    // A fatal one: a second informer whose token the server rejects.
    const bad = createInformerFactory({
      kubeConfig: withToken(kc, `${TOKEN}-wrong`),
      lingerMs: 0,
      logger: recordingLogger(logs),
    });
    const rejected = bad.informer(Secrets, { namespace: 'vault' });
    const failed = new Promise<void>((resolve) =>
      subscriptions.push(rejected.events$.subscribe({ error: (e: unknown) => (errors.push(e), resolve()) })),
    );
    await failed;
    errors.push(rejected.health.lastError);
    bad.shutdown();
  }, 60_000);

  afterAll(async () => {
    subscriptions.forEach((s) => s.unsubscribe());
    factory?.shutdown();
    await server?.close();
  });

  it('captured real material (the faults produced warnings, errors and metrics)', async () => {
    expect(logs.filter((l) => l.startsWith('warn')).length).toBeGreaterThan(3);
    expect(logs.some((l) => l.startsWith('error'))).toBe(true);
    expect(errors.length).toBeGreaterThan(4);
    expect(await registry.metrics()).toContain('rxinformer_store_objects');
  });

  const forbidden = () => ({
    token: TOKEN,
    'client key': clientKeyBody,
    'secret (base64)': SECRET_B64,
    'secret (plain)': SECRET_VALUE,
  });

  it('no token, client key or Secret data in anything given to the logger', () => {
    const text = logs.join('\n');
    for (const [what, value] of Object.entries(forbidden())) expect(text.includes(value), what).toBe(false);
  });

  it('no token, client key or Secret data in any error or health.lastError (message, fields, sample, cause)', () => {
    const text = errors.map(errorText).join('\n');
    for (const [what, value] of Object.entries(forbidden())) expect(text.includes(value), what).toBe(false);
  });

  it('no token, client key or Secret data in the metrics text', async () => {
    const text = await registry.metrics();
    for (const [what, value] of Object.entries(forbidden())) expect(text.includes(value), what).toBe(false);
  });
});

describe('Secret data in bad input stays out of errors', () => {
  it.each([
    ['a Secret watch line cut mid-way', 'watch'],
    ['a Secret LIST body that does not decode', 'list'],
    [
      'a Secret LIST body with an unquoted value (JSON.parse quotes the input around the error)',
      'list-unquoted',
    ],
  ])(
    '%s: the DecodeError (message and sample) and the logs do not carry the Secret data',
    async (_name, where) => {
      const secretLine = JSON.stringify({
        type: 'MODIFIED',
        object: {
          kind: 'Secret',
          apiVersion: 'v1',
          metadata: { name: 's', namespace: 'v', resourceVersion: '7' },
          data: { password: SECRET_B64 },
        },
      });
      const server = http.createServer((req, res) => {
        const watch = req.url?.includes('watch=');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (where === 'list-unquoted' && !watch)
          return res.end(
            `{"kind":"SecretList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"s","namespace":"v"},"data":{"password":${SECRET_B64}}}]}`,
          );
        if (where === 'list' && !watch)
          return res.end(
            `{"kind":"SecretList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"s","namespace":"v"},"data":{"password":"${SECRET_B64}"}},`,
          );
        if (!watch) return res.end('{"kind":"SecretList","metadata":{"resourceVersion":"5"},"items":[]}');
        res.end(secretLine.slice(0, secretLine.length - 3)); // ends mid-line
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'c',
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            skipTLSVerify: true,
          },
        ],
        users: [{ name: 'u', token: TOKEN }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      const logged: string[] = [];
      const factory = createInformerFactory({
        kubeConfig: kc,
        lingerMs: 0,
        logger: recordingLogger(logged),
        reflector: { watchList: 'never', backoff: { initialMs: 5, maxMs: 20 }, watchdogMs: 0 },
      });
      const secrets = factory.informer(Secrets, { namespace: 'v' });
      const sub = secrets.start();
      try {
        const health = await firstValueFrom(
          secrets.health$.pipe(
            filter((h) => h.lastError !== undefined),
            timeout(10_000),
          ),
        );
        expect(health.lastError?.name).toBe('DecodeError');
        // Any 10 characters of the secret are too many.
        const piece = SECRET_B64.slice(0, 10);
        expect.soft(errorText(health.lastError).includes(piece), 'secret in the error').toBe(false);
        expect.soft(logged.join('\n').includes(piece), 'secret in the logs').toBe(false);
      } finally {
        sub.unsubscribe();
        factory.shutdown();
        server.closeAllConnections();
        server.close();
      }
    },
  );
});

function withToken(kc: KubeConfig, token: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  copy.users = copy.users.map((u) => ({ ...u, token }));
  return copy;
}
