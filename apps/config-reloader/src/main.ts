import {
  appLogger,
  awaitSync,
  connect,
  explainError,
  fail,
  onShutdown,
  parseCommandLine,
  parseFlags,
  wantsCluster,
  type Connection,
} from '@rxinformer/app-kit';
import { Subscription } from 'rxjs';
import { watchConfig } from './config-reloader.js';
import { configReloaderCommand, configReloaderFlags, configReloaderSettings } from './flags.js';
import { describeReload } from './reload-log.js';
import { addAppConfig, editAppConfig } from './simulated-config.js';

const args = process.argv.slice(2);
const onSimulator = (() => {
  try {
    const values = parseFlags(configReloaderCommand, configReloaderFlags, args).values;
    return values !== undefined && !wantsCluster(values);
  } catch {
    return false; // parseCommandLine reports it
  }
})();
const settings = parseCommandLine(configReloaderCommand, configReloaderFlags, args, (values) =>
  configReloaderSettings(values, onSimulator),
);
const logger = appLogger(settings);
const running = new Subscription();
const closers: (() => void | Promise<void>)[] = [];
let connection: Connection | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  return (stopping ??= (async () => {
    running.unsubscribe();
    for (const close of closers.reverse()) await close();
  })());
}

function die(message: string): void {
  void stop().then(() => fail(message));
}

const where = (kind: string, name: string) => `${kind} "${settings.namespace}/${name}"`;

try {
  connection = await connect({
    kubeconfig: settings.kubeconfig,
    context: settings.context,
    simulator: { pods: 0, churnPerSecond: 0, companions: false, extras: addAppConfig },
  });
  closers.push(connection.close);
  if (connection.simulator && settings.simEditSeconds > 0)
    closers.push(editAppConfig(connection.simulator.server, settings.simEditSeconds));
  const watch = watchConfig({
    kubeConfig: connection.kubeConfig,
    namespace: settings.namespace,
    configMap: settings.configMap,
    secret: settings.secret,
    debounceMs: settings.debounceMs,
    actions: settings.actions,
  });
  closers.push(() => watch.close());
  const { dir, exec, pid } = settings.actions;
  if (!dir && !exec && pid === undefined)
    logger.warn({}, 'no --dir, --exec or --pid: changes are only logged');
  const source = connection.simulator ? `the embedded simulator (${connection.server})` : connection.server;
  logger.info(
    {
      server: connection.server,
      namespace: settings.namespace,
      configMap: settings.configMap,
      secret: settings.secret,
    },
    `watching ${where('configmap', settings.configMap)}${settings.secret ? ` and ${where('secret', settings.secret)}` : ''} on ${source}`,
  );
  const server = connection.server;
  running.add(
    watch.results$.subscribe({
      next: (result) => {
        const line = describeReload(result, settings.actions);
        if (result.ok) logger.info({ ...line.fields }, line.message);
        else logger.error({ ...line.fields }, line.message);
      },
      error: (error: unknown) => die(explainError(error, { server })),
    }),
  );
  onShutdown(stop);
  await awaitSync(watch.factory, watch.informers);
  let first = true;
  running.add(
    watch.presence$.subscribe((presence) => {
      const missing = [
        ...(presence.configMap ? [] : [where('configmap', settings.configMap)]),
        ...(presence.secret === false && settings.secret ? [where('secret', settings.secret)] : []),
      ];
      if (first && missing.length > 0 && settings.require) {
        die(
          `${missing.join(' and ')} not found: create it, check --namespace, or drop --require to wait for it`,
        );
      } else if (missing.length > 0) {
        logger.warn(
          { missing },
          `${missing.join(' and ')} ${first ? 'does not exist yet' : 'was deleted'}: waiting for it (the last files stay)`,
        );
      } else if (!first) {
        logger.info({}, 'every watched object exists again');
      }
      first = false;
    }),
  );
} catch (error) {
  const server = connection?.server;
  die(explainError(error, server === undefined ? {} : { server }));
}
