import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsHandler } from './metrics-handler.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(registry: Registry): Promise<number> {
  server = createServer(metricsHandler(registry));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server?.address() as AddressInfo).port;
}

function call(
  port: number,
  method: string,
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/metrics', method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject).end();
  });
}

describe('metricsHandler', () => {
  it('serves the registry with its content type', async () => {
    const registry = new Registry();
    new Counter({ name: 'rxinformer_test_total', help: 'test', registers: [registry] }).inc(3);
    const port = await serve(registry);
    const res = await call(port, 'GET');
    expect(res.status).toBe(200);
    expect(res.type).toBe(registry.contentType);
    expect(res.body).toContain('rxinformer_test_total 3');
    const head = await call(port, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('answers 405 to other methods and 500 when collection fails', async () => {
    const registry = new Registry();
    new Counter({
      name: 'broken_total',
      help: 'x',
      registers: [registry],
      collect: () => {
        throw new Error('secret detail');
      },
    });
    const port = await serve(registry);
    expect((await call(port, 'POST')).status).toBe(405);
    const failed = await call(port, 'GET');
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('secret detail');
  });
});
