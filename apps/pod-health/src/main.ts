import {
  appLogger,
  outputFormat,
  awaitSync,
  connect,
  explainError,
  fail,
  onShutdown,
  parseCommandLine,
  type Connection,
} from '@rxinformer/app-kit';
import { logHealth } from '@rxinformer/logging';
import { Registry } from 'prom-client';
import { Subscription } from 'rxjs';
import { podHealthCommand, podHealthFlags, podHealthSettings } from './flags.js';
import { serveMetrics } from './metrics-server.js';
import { watchPodHealth } from './pod-health.js';
import { isNews, logReport } from './report-log.js';
import { addUnhealthyPods } from './simulated-problems.js';
import { showSyncProgress } from './sync-progress.js';

const settings = parseCommandLine(podHealthCommand, podHealthFlags, process.argv.slice(2), podHealthSettings);
const logger = appLogger(settings);
const format = outputFormat(settings);
const running = new Subscription();
const closers: (() => void | Promise<void>)[] = [];
let connection: Connection | undefined;
let stopping: Promise<void> | undefined;

/** Stops everything that runs, once. */
function stop(): Promise<void> {
  return (stopping ??= (async () => {
    running.unsubscribe();
    for (const close of closers.reverse()) await close();
  })());
}

/** A one-line error and exit 1, after stopping. */
function die(error: unknown): void {
  const server = connection?.server;
  void stop().then(() => fail(explainError(error, server === undefined ? {} : { server })));
}

try {
  connection = await connect({
    kubeconfig: settings.kubeconfig,
    context: settings.context,
    simulator: { pods: settings.pods, churnPerSecond: settings.churn, extras: addUnhealthyPods },
  });
  closers.push(connection.close);
  const registry = new Registry();
  const health = watchPodHealth({
    kubeConfig: connection.kubeConfig,
    namespace: settings.namespace,
    labelSelector: settings.selector,
    thresholds: settings.thresholds,
    windowMs: settings.windowMs,
    registry,
  });
  closers.push(() => health.close());
  if (settings.metricsPort !== undefined) {
    const metrics = await serveMetrics(registry, settings.metricsHost, settings.metricsPort);
    closers.push(metrics.close);
    logger.info({ url: metrics.url }, `metrics on ${metrics.url}`);
  }
  const where = connection.simulator ? `the embedded simulator (${connection.server})` : connection.server;
  const scope = `${settings.namespace ? `namespace ${settings.namespace}` : 'all namespaces'}${settings.selector ? `, ${settings.selector}` : ''}`;
  logger.info(
    { server: connection.server, namespace: settings.namespace, selector: settings.selector },
    `watching pods in ${scope} of ${where}`,
  );
  if (process.stderr.isTTY) running.add(showSyncProgress(health.events$, process.stderr, 'pods'));
  running.add(
    health.pods.health$
      .pipe(
        logHealth(logger.child({ resource: 'pods' }), {
          levels: { listing: 'debug', watching: 'debug', synced: 'debug' },
        }),
      )
      .subscribe(),
  );
  let first = true;
  running.add(
    health.reports$.subscribe({
      next: (report) => {
        if (isNews(report, first)) logReport(logger, report, format);
        first = false;
        if (settings.once) void stop().then(() => process.exit(report.unhealthy.length > 0 ? 3 : 0));
      },
      error: die,
    }),
  );
  onShutdown(stop);
  await awaitSync(health.factory, [health.pods]);
} catch (error) {
  die(error);
}
