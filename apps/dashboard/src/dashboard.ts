import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { awaitSync } from '@rxinformer/app-kit';
import {
  ConfigMaps,
  createInformerFactory,
  Deployments,
  Nodes,
  Pods,
  resourceName,
  type Informer,
  type InformerScope,
  type KubeObject,
} from '@rxinformer/core';
import {
  informerMetrics,
  instrumentInformer,
  measureBatches,
  measureEvents,
  metricsHandler,
} from '@rxinformer/metrics';
import { Counter, Gauge, Registry } from 'prom-client';
import { catchError, EMPTY, interval, merge, Subscription, tap, type Observable } from 'rxjs';
import { readPage, type PageAssets } from './page-assets.js';
import { batchRowChanges, toRowChanges, type RowChange } from './row-changes.js';
import { configMapTable, deploymentTable, nodeTable, podTable, type Row, type TableSpec } from './rows.js';
import { SseHub } from './sse-hub.js';
import { healthRow, StatsRecorder } from './stats-recorder.js';

/**
 * Options of {@link startDashboard}.
 *
 * @example
 * ```ts
 * const options: DashboardOptions = { kubeConfig: kc, namespace: 'shop', host: '127.0.0.1', port: 8080 };
 * ```
 */
export interface DashboardOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch one namespace (pods, deployments, configmaps); default all. */
  readonly namespace?: string | undefined;
  /** Label selector of pods, deployments and configmaps; default none. */
  readonly labelSelector?: string | undefined;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port to bind (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Coalescing window and the longest wait of a batch, in ms (default 250: at most ~4 change messages a second). */
  readonly window?: number;
  /** What the page calls the cluster, such as its URL or "embedded simulator". */
  readonly clusterLabel?: string;
}

/**
 * A running dashboard.
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ kubeConfig: kc, port: 0 });
 * console.log(dashboard.url);
 * await dashboard.close();
 * ```
 */
export interface Dashboard {
  /** Where the page is, such as `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The Prometheus registry served on `/metrics`. */
  readonly registry: Registry;
  /** Stops the informers, ends every event stream and closes the server. Idempotent. */
  close(): Promise<void>;
}

interface Table {
  readonly name: string;
  readonly title: string;
  readonly informer: Informer<KubeObject>;
  readonly spec: TableSpec<KubeObject>;
}

/**
 * Starts the dashboard: informers on pods, deployments, configmaps and nodes, their first sync
 * (rejecting with the first fatal or connection error), then an HTTP server with the page (`/`),
 * its Server-Sent Events (`/events`: a snapshot, then batched row changes and a stats sample a
 * second), the state as JSON (`/api/state`) and Prometheus metrics (`/metrics`).
 *
 * @example
 * ```ts
 * const dashboard = await startDashboard({ kubeConfig: kc, namespace: 'shop', port: 0 });
 * ```
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const window = options.window ?? 250;
  const factory = createInformerFactory({ kubeConfig: options.kubeConfig });
  const scope: InformerScope = {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
  };
  const table = <T extends KubeObject>(
    name: string,
    title: string,
    informer: Informer<T>,
    spec: TableSpec<T>,
  ): Table => ({
    name,
    title,
    informer: informer as unknown as Informer<KubeObject>,
    spec: spec as unknown as TableSpec<KubeObject>,
  });
  const tables = [
    table('pods', 'Pods', factory.informer(Pods, scope), podTable),
    table('deployments', 'Deployments', factory.informer(Deployments, scope), deploymentTable),
    table('configmaps', 'ConfigMaps', factory.informer(ConfigMaps, scope), configMapTable),
    table('nodes', 'Nodes', factory.informer(Nodes), nodeTable),
  ];

  const registry = new Registry();
  const metrics = informerMetrics(registry);
  const sseMessages = new Counter({
    name: 'rxinformer_dashboard_sse_messages_total',
    help: 'Server-Sent Events messages sent to pages',
    labelNames: ['event'],
    registers: [registry],
  });
  const stats = new StatsRecorder(tables.map((t) => t.name));
  const hub = new SseHub();
  new Gauge({
    name: 'rxinformer_dashboard_sse_clients',
    help: 'Pages connected to the event stream',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  const send = (event: string, data: unknown): void => {
    if (hub.broadcast(event, data) === 0) return;
    stats.countMessage();
    sseMessages.inc({ event });
  };

  const subscriptions = new Subscription();
  const changes: Observable<RowChange>[] = tables.map((t) =>
    t.informer.events$.pipe(
      tap(() => stats.countEvent(t.name)),
      measureEvents(metrics, resourceName(t.informer.resource)),
      toRowChanges(t.name, t.spec, { window }),
      catchError(() => EMPTY), // a fatal error shows on the health table; the other tables go on
    ),
  );
  for (const t of tables) subscriptions.add(instrumentInformer(t.informer, metrics));
  subscriptions.add(
    merge(...changes)
      .pipe(batchRowChanges({ window }), measureBatches(metrics, 'dashboard'))
      .subscribe((batch) => {
        stats.countBatch(batch.length);
        send('changes', batch);
      }),
  );
  const healthRows = () => tables.map((t) => healthRow(t.name, t.informer.health));
  subscriptions.add(interval(1000).subscribe(() => send('stats', stats.sample(Date.now(), healthRows()))));

  const closeInformers = (): void => {
    subscriptions.unsubscribe();
    factory.shutdown();
  };
  try {
    await awaitSync(
      factory,
      tables.map((t) => t.informer),
    );
  } catch (error) {
    closeInformers();
    throw error;
  }

  const state = () => ({
    cluster: options.clusterLabel ?? options.kubeConfig.getCurrentCluster()?.server ?? '',
    namespace: options.namespace ?? null,
    labelSelector: options.labelSelector ?? null,
    window,
    tables: tables.map((t) => ({
      name: t.name,
      title: t.title,
      columns: t.spec.columns,
      rows: t.informer.store.list().map((o): Row => t.spec.toRow(o)),
    })),
    history: stats.history(),
    health: healthRows(),
  });
  const page = readPage();
  const serveMetrics = metricsHandler(registry);
  const server = createServer((req, res) => route(req, res, { page, hub, state, serveMetrics }));
  await listen(server, options.host ?? '127.0.0.1', options.port ?? 8080).catch((error: unknown) => {
    closeInformers();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}/`,
    registry,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        closeInformers();
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

interface RouteContext {
  readonly page: PageAssets;
  readonly hub: SseHub;
  readonly state: () => unknown;
  readonly serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
}

function route(req: IncomingMessage, res: ServerResponse, context: RouteContext): void {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/metrics') return context.serveMetrics(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const asset = context.page.get(path);
  if (asset) {
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(asset.body);
  } else if (path === '/events') {
    context.hub.add(res, [{ event: 'snapshot', data: context.state() }]);
  } else if (path === '/api/state') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(context.state()));
  } else if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
