import { connect, explainError, fail, onShutdown, parseCommandLine } from '@rxinformer/app-kit';
import { startDashboard } from './dashboard.js';
import { dashboardCommand, dashboardFlags, dashboardSettings } from './flags.js';

const settings = parseCommandLine(dashboardCommand, dashboardFlags, process.argv.slice(2), dashboardSettings);

let server: string | undefined;
try {
  const connection = await connect({
    kubeconfig: settings.kubeconfig,
    context: settings.context,
    simulator: { pods: settings.pods, churnPerSecond: settings.churn },
  });
  server = connection.server;
  const where = connection.simulator ? `the embedded simulator (${connection.server})` : connection.server;
  process.stderr.write(`dashboard: syncing informers with ${where}…\n`);
  const dashboard = await startDashboard({
    kubeConfig: connection.kubeConfig,
    namespace: settings.namespace,
    labelSelector: settings.selector,
    host: settings.host,
    port: settings.port,
    window: settings.window,
    clusterLabel: connection.simulator
      ? `embedded simulator · ${settings.pods} pods · ${settings.churn} writes/s`
      : connection.server,
  }).catch(async (error: unknown) => {
    await connection.close();
    throw error;
  });
  onShutdown(async () => {
    process.stderr.write('dashboard: stopping\n');
    await dashboard.close();
    await connection.close();
  });
  process.stdout.write(`dashboard: serving ${dashboard.url} (Ctrl-C to stop)\n`);
} catch (error) {
  fail(explainError(error, server === undefined ? {} : { server }));
}
