import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricsRegistry } from './registry-metrics.js';

/**
 * A Node.js request handler that serves `registry` in the Prometheus text format (or
 * OpenMetrics, if the registry is set to it), with `Content-Type` from `registry.contentType`.
 * It answers every path: give it its own server or route `/metrics` to it. GET and HEAD get
 * 200; other methods 405; a collection failure 500 (without the error's text).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { Registry } from 'prom-client';
 * import { metricsHandler } from '@rxinformer/metrics';
 *
 * const registry = new Registry();
 * const serveMetrics = metricsHandler(registry);
 * createServer((req, res) => {
 *   if (req.url === '/metrics') serveMetrics(req, res);
 *   else res.writeHead(404).end();
 * }).listen(9090);
 * ```
 *
 * @see {@link informerMetrics}
 */
export function metricsHandler(
  registry: MetricsRegistry,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, {
          'Content-Type': registry.contentType,
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res
          .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end('failed to collect metrics\n');
      },
    );
  };
}
