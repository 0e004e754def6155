import {
  clusterFlags,
  logFlags,
  logSettings,
  intFlag,
  numberFlag,
  type CommandInfo,
  type FlagValues,
} from '@rxinformer/app-kit';

/**
 * pod-health's command-line flags.
 *
 * @example
 * ```ts
 * const parsed = parseFlags(podHealthCommand, podHealthFlags, ['--once', '--restarts', '3']);
 * ```
 */
export const podHealthFlags = {
  ...clusterFlags,
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NS',
    description: 'watch the pods of one namespace only (default: all namespaces)',
  },
  selector: {
    type: 'string',
    short: 'l',
    value: 'SELECTOR',
    description: 'label selector of the pods to watch, such as app=web',
  },
  restarts: {
    type: 'string',
    value: 'N',
    description: 'report a container that restarted more than N times',
    default: '5',
  },
  'not-ready': {
    type: 'string',
    value: 'SECONDS',
    description: 'report a pod that has not been Ready for longer than this',
    default: '300',
  },
  window: {
    type: 'string',
    value: 'SECONDS',
    description: 'one report per window; changes of a pod within it are coalesced',
    default: '10',
  },
  once: {
    type: 'boolean',
    description: 'report once after the initial sync and exit: 0 if every pod is healthy, 3 if not',
  },
  'metrics-port': {
    type: 'string',
    value: 'PORT',
    description:
      'serve Prometheus metrics on http://HOST:PORT/metrics (0: a free port; default: no metrics server)',
  },
  'metrics-host': {
    type: 'string',
    value: 'HOST',
    description: 'address of the metrics server',
    default: '127.0.0.1',
  },
  ...logFlags,
  pods: {
    type: 'string',
    value: 'N',
    description: 'simulator only: pods in the workload (a few are unhealthy)',
    default: '500',
  },
  churn: {
    type: 'string',
    value: 'RATE',
    description: 'simulator only: pod writes per second (0: none)',
    default: '5',
  },
} as const;

/**
 * What `--help` says about pod-health.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText(podHealthCommand, podHealthFlags));
 * ```
 */
export const podHealthCommand: CommandInfo = {
  name: 'pod-health',
  summary:
    'Watches pods and reports the unhealthy ones: CrashLoopBackOff, ImagePullBackOff and other waiting\n' +
    'errors, containers restarting more than --restarts times, pods not Ready for longer than --not-ready\n' +
    'seconds, and failed pods. One report per --window when something changed. Without --kubeconfig,\n' +
    '--context or $KUBECONFIG it runs on an embedded simulator with some unhealthy pods.',
  epilog: [
    'Examples:',
    '  npm start -w @rxinformer/pod-health',
    '  npm start -w @rxinformer/pod-health -- --context prod -n shop --restarts 3 --metrics-port 9464',
    '  node --import tsx apps/pod-health/src/main.ts --kubeconfig ci.kubeconfig --once --log-format json',
  ].join('\n'),
};

/**
 * pod-health's settings, checked.
 *
 * @example
 * ```ts
 * const { values } = parseFlags(podHealthCommand, podHealthFlags, process.argv.slice(2));
 * const settings = podHealthSettings(values!);
 * ```
 */
export function podHealthSettings(values: FlagValues<typeof podHealthFlags>) {
  const { logFormat: format, logLevel: level } = logSettings(values);
  const metricsPort = values['metrics-port'];
  return {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
    selector: values.selector,
    thresholds: {
      restarts: intFlag('restarts', values.restarts, { min: 0 }),
      notReadyMs: numberFlag('not-ready', values['not-ready'], { min: 0 }) * 1000,
    },
    windowMs: numberFlag('window', values.window, { min: 0.05 }) * 1000,
    once: values.once,
    metricsPort:
      metricsPort === undefined ? undefined : intFlag('metrics-port', metricsPort, { min: 0, max: 65535 }),
    metricsHost: values['metrics-host'],
    logFormat: format,
    logLevel: level,
    pods: intFlag('pods', values.pods, { min: 0 }),
    churn: intFlag('churn', values.churn, { min: 0 }),
  };
}
