import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandler } from '@rxinformer/metrics';
import type { Registry } from 'prom-client';

/**
 * An HTTP server for Prometheus: `/metrics` serves the registry, anything else is 404.
 *
 * @example
 * ```ts
 * const metrics = await serveMetrics(registry, '127.0.0.1', 9464);
 * console.log(metrics.url); // http://127.0.0.1:9464/metrics
 * ```
 */
export async function serveMetrics(
  registry: Registry,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const handler = metricsHandler(registry);
  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname === '/metrics') handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
