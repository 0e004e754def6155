import {
  clusterFlags,
  intFlag,
  logFlags,
  logSettings,
  UsageError,
  type CommandInfo,
  type FlagValues,
} from '@rxinformer/app-kit';
import { constants } from 'node:os';

/**
 * config-reloader's command-line flags.
 *
 * @example
 * ```ts
 * const parsed = parseFlags(configReloaderCommand, configReloaderFlags, ['-c', 'web', '--dir', '/etc/web']);
 * ```
 */
export const configReloaderFlags = {
  ...clusterFlags,
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NS',
    description: 'namespace of the ConfigMap and Secret',
    default: 'default',
  },
  configmap: {
    type: 'string',
    short: 'c',
    value: 'NAME',
    description: 'the ConfigMap to watch (required on a cluster; app-config on the simulator)',
  },
  secret: {
    type: 'string',
    short: 's',
    value: 'NAME',
    description: 'a Secret to watch as well; its keys are written to --secret-dir',
  },
  dir: {
    type: 'string',
    short: 'd',
    value: 'DIR',
    description: "write the ConfigMap's keys as files into DIR (atomically; keys that disappear are removed)",
  },
  'secret-dir': {
    type: 'string',
    value: 'DIR',
    description: "where the Secret's keys go (default: DIR/secret)",
  },
  exec: {
    type: 'string',
    short: 'e',
    value: 'CMD',
    description: 'run CMD with sh -c after each change (CONFIG_VERSION and CONFIG_DIR set)',
  },
  pid: { type: 'string', value: 'PID', description: 'send --signal to process PID after each change' },
  signal: { type: 'string', value: 'SIGNAL', description: 'the signal sent to --pid', default: 'SIGHUP' },
  debounce: {
    type: 'string',
    value: 'MS',
    description: 'reload once the configuration has been unchanged for this long',
    default: '1000',
  },
  require: {
    type: 'boolean',
    description:
      'exit with an error if the ConfigMap (or Secret) does not exist at start, instead of waiting for it',
  },
  ...logFlags,
  'sim-edit': {
    type: 'string',
    value: 'SECONDS',
    description: 'simulator only: edit the ConfigMap this often (0: never)',
    default: '10',
  },
} as const;

/**
 * What `--help` says about config-reloader.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText(configReloaderCommand, configReloaderFlags));
 * ```
 */
export const configReloaderCommand: CommandInfo = {
  name: 'config-reloader',
  summary:
    'Watches a ConfigMap (and optionally a Secret) and hot-reloads a process configuration when its content\n' +
    'changes: writes the keys as files, runs a command and/or signals a process, debounced, and logs the result.\n' +
    'Without --kubeconfig, --context or $KUBECONFIG it runs on an embedded simulator whose ConfigMap\n' +
    '"app-config" (and Secret "app-secret") in namespace "default" change every --sim-edit seconds.',
  epilog: [
    'Examples:',
    '  npm start -w @rxinformer/config-reloader -- --dir /tmp/app-config --secret app-secret',
    '  node --import tsx apps/config-reloader/src/main.ts --context prod -n shop -c web-config \\',
    '    --dir /etc/web --exec "nginx -s reload" --require',
  ].join('\n'),
};

/**
 * config-reloader's settings, checked. `onSimulator` decides whether `--configmap` may default.
 *
 * @example
 * ```ts
 * const { values } = parseFlags(configReloaderCommand, configReloaderFlags, ['-c', 'web', '--dir', '/etc/web']);
 * const settings = configReloaderSettings(values!, false);
 * ```
 */
export function configReloaderSettings(values: FlagValues<typeof configReloaderFlags>, onSimulator: boolean) {
  const { logFormat: format, logLevel: level } = logSettings(values);
  const configMap = values.configmap ?? (onSimulator ? 'app-config' : undefined);
  if (configMap === undefined) throw new UsageError('--configmap is required: name the ConfigMap to watch');
  const signal = values.signal.toUpperCase().startsWith('SIG')
    ? values.signal.toUpperCase()
    : `SIG${values.signal.toUpperCase()}`;
  if (!(signal in constants.signals))
    throw new UsageError(`--signal must be a signal name such as SIGHUP or SIGUSR1, got "${values.signal}"`);
  return {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
    configMap,
    secret: values.secret,
    actions: {
      dir: values.dir,
      secretDir: values['secret-dir'],
      exec: values.exec,
      pid: values.pid === undefined ? undefined : intFlag('pid', values.pid, { min: 1 }),
      signal: signal as NodeJS.Signals,
    },
    debounceMs: intFlag('debounce', values.debounce, { min: 0 }),
    require: values.require,
    logFormat: format,
    logLevel: level,
    simEditSeconds: intFlag('sim-edit', values['sim-edit'], { min: 0 }),
  };
}
