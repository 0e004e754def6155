// Bad HTTP responses to the first LIST: proxies answering HTML or text, empty bodies, odd
// Retry-After headers, redirects, garbage that is not HTTP, connections cut or never answered.
// Transient ones show on health$ (and are retried), fatal ones reach events$' error; each as a
// typed error whose message names the problem.
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  ForbiddenError,
  InvalidRequestError,
  ResourceNotFoundError,
  ServerBusyError,
  UnauthorizedError,
} from '../../src/index.js';
import { fakeApi, harness, json, type FakeApi, type Harness } from './support.js';

let api: FakeApi | undefined;
let h: Harness | undefined;
afterEach(async () => {
  h?.close();
  h = undefined;
  await api?.close();
  api = undefined;
});

async function transient(list: Parameters<typeof fakeApi>[0]['list']) {
  api = await fakeApi({ list });
  h = harness(api.kubeConfig());
  const health = await h.health((x) => x.attempt >= 2);
  expect(h.errors).toEqual([]);
  return health.lastError;
}

async function fatal(list: Parameters<typeof fakeApi>[0]['list']) {
  api = await fakeApi({ list });
  h = harness(api.kubeConfig());
  const error = await h.fatal();
  expect(h.informer.health.phase).toBe('failed');
  expect(h.informer.health.lastError).toBe(error);
  return error as Error;
}

const html = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>nginx</p></body></html>`;

describe('error bodies that are not a Status', () => {
  it('502 with an HTML page from a proxy: ServerBusyError, transient, the page text in the message', async () => {
    const error = await transient((_q, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(html('502 Bad Gateway'));
    });
    expect(error).toBeInstanceOf(ServerBusyError);
    expect(error?.message).toMatch(
      /list configmaps in namespace "shop": 502 BadGateway: unexpected response body: 502 Bad Gateway 502 Bad Gateway nginx/,
    );
    expect(error?.message).not.toMatch(/<html|<h1/);
  });

  it('403 with an HTML page from an auth proxy: ForbiddenError, fatal', async () => {
    const error = await fatal((_q, res) => {
      res.writeHead(403, { 'Content-Type': 'text/html' });
      res.end(html('Access denied by corporate proxy'));
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toMatch(
      /403 Forbidden: unexpected response body: .*Access denied by corporate proxy/,
    );
  });

  it('404 with plain text: ResourceNotFoundError naming the resource', async () => {
    const error = await fatal((_q, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
    });
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error.message).toMatch(
      /list configmaps in namespace "shop": 404 NotFound: unexpected response body: 404 page not found/,
    );
  });

  it('500 with an empty body: ServerBusyError saying the body was empty', async () => {
    const error = await transient((_q, res) => {
      res.writeHead(500);
      res.end();
    });
    expect(error).toBeInstanceOf(ServerBusyError);
    expect(error?.message).toMatch(/500 InternalError: HTTP 500 with an empty body/);
  });

  it('401 with a JSON body that is not a Status: UnauthorizedError, fatal', async () => {
    const error = await fatal((_q, res) =>
      json(res, 401, { error: 'invalid_token', error_description: 'expired' }),
    );
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toMatch(/401 Unauthorized: unexpected response body: .*invalid_token/);
  });

  it('an HTML error page served with Content-Type application/json', async () => {
    const error = await transient((_q, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end(html('Service Unavailable'));
    });
    expect(error).toBeInstanceOf(ServerBusyError);
    expect(error?.message).toMatch(/503 ServiceUnavailable: unexpected response body: Service Unavailable/);
  });

  it('a huge HTML error page: the message stays short', async () => {
    const error = await transient((_q, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(html('x'.repeat(3 << 20)));
    });
    expect(error).toBeInstanceOf(ServerBusyError);
    expect(error!.message.length).toBeLessThan(400);
  });
});

describe('Retry-After', () => {
  it('429 with Retry-After as an HTTP date is honoured: the next attempt is scheduled after it', async () => {
    api = await fakeApi({
      list: (_q, res) =>
        json(
          res,
          429,
          { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' },
          { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() },
        ),
    });
    h = harness(api.kubeConfig());
    const health = await h.health((x) => x.phase === 'backoff');
    expect(health.lastError).toBeInstanceOf(ServerBusyError);
    expect((health.lastError as ServerBusyError).retryAfterMs).toBeGreaterThan(50_000);
    expect(health.retryAt! - Date.now()).toBeGreaterThan(40_000);
    expect(api.requests.filter((r) => r.verb === 'list')).toHaveLength(1);
  });

  it('429 with a Retry-After that is not a number or a date: ignored, normal backoff', async () => {
    const error = await transient((_q, res) =>
      json(
        res,
        429,
        { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' },
        { 'Retry-After': 'soon-ish' },
      ),
    );
    expect(error).toBeInstanceOf(ServerBusyError);
    expect((error as ServerBusyError).retryAfterMs).toBeUndefined();
  });

  it('503 with a negative Retry-After: no negative wait', async () => {
    const error = await transient((_q, res) =>
      json(
        res,
        503,
        { kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'x' },
        { 'Retry-After': '-5' },
      ),
    );
    expect((error as ServerBusyError).retryAfterMs).toBe(0);
  });
});

describe('responses that are not the API at all', () => {
  it('a 302 redirect to a login page: a fatal typed error naming the status and where it pointed', async () => {
    api = await fakeApi({
      list: (_q, res) => {
        res.writeHead(302, { Location: 'https://login.example/', 'Content-Type': 'text/html' });
        res.end(html('Found'));
      },
    });
    h = harness(api.kubeConfig());
    const health = await h.health((x) => x.lastError !== undefined);
    expect(health.lastError).toBeInstanceOf(InvalidRequestError);
    expect(health.lastError?.message).toMatch(
      /302 Redirect: the server redirected to https:\/\/login\.example/,
    );
    expect(health.phase).toBe('failed');
  });

  it('a server that closes the connection without answering: ConnectionError, retried', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      api = await fakeApi({});
      h = harness(api.kubeConfig({ server: `http://127.0.0.1:${port}` }));
      const health = await h.health((x) => x.attempt >= 2);
      expect(health.lastError).toBeInstanceOf(ConnectionError);
      expect(health.lastError?.message).toMatch(
        /cannot reach http:\/\/127\.0\.0\.1:\d+ \((ECONNRESET|ECONNREFUSED|EPIPE)\)/,
      );
    } finally {
      server.close();
    }
  });

  it('a server that answers garbage instead of HTTP: ConnectionError naming the parse error', async () => {
    const server = net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      api = await fakeApi({});
      h = harness(api.kubeConfig({ server: `http://127.0.0.1:${port}` }));
      const health = await h.health((x) => x.attempt >= 2);
      expect(health.lastError).toBeInstanceOf(ConnectionError);
      expect((health.lastError as ConnectionError).code).toMatch(/HPE_/);
    } finally {
      server.close();
    }
  });

  it('a LIST that is accepted but never answered: ConnectionError TIMEOUT after requestTimeoutMs', async () => {
    api = await fakeApi({ list: () => undefined });
    h = harness(api.kubeConfig(), { transport: { requestTimeoutMs: 100 } });
    const health = await h.health((x) => x.lastError !== undefined);
    expect(health.lastError).toBeInstanceOf(ConnectionError);
    expect((health.lastError as ConnectionError).code).toBe('TIMEOUT');
    expect(health.lastError?.message).toMatch(/list configmaps in namespace "shop": no response for 100 ms/);
  });

  it('https:// in the kubeconfig but the server speaks plain HTTP: ConnectionError, not a hang', async () => {
    api = await fakeApi({});
    h = harness(api.kubeConfig({ server: api.url.replace('http:', 'https:'), insecure: true }));
    const health = await h.health((x) => x.lastError !== undefined);
    expect(health.lastError).toBeInstanceOf(ConnectionError);
    expect(health.lastError?.message).toMatch(/EPROTO|wrong version number|packet length/i);
  });
});
