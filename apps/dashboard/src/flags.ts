import { clusterFlags, intFlag, type CommandInfo, type FlagValues } from '@rxinformer/app-kit';

/**
 * The dashboard's command-line flags.
 *
 * @example
 * ```ts
 * const parsed = parseFlags(dashboardCommand, dashboardFlags, ['--port', '0']);
 * ```
 */
export const dashboardFlags = {
  ...clusterFlags,
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NS',
    description: 'watch pods, deployments and configmaps of one namespace only (default: all namespaces)',
  },
  selector: {
    type: 'string',
    short: 'l',
    value: 'SELECTOR',
    description: 'label selector of the pods, deployments and configmaps shown, such as app=web',
  },
  host: {
    type: 'string',
    value: 'HOST',
    description: 'address to bind; use 0.0.0.0 to expose the dashboard beyond this machine',
    default: '127.0.0.1',
  },
  port: {
    type: 'string',
    short: 'p',
    value: 'PORT',
    description: 'port to bind; 0 picks a free one',
    default: '8080',
  },
  window: {
    type: 'string',
    value: 'MS',
    description: 'how long changes are coalesced before they are sent to the page',
    default: '250',
  },
  pods: { type: 'string', value: 'N', description: 'simulator only: pods in the workload', default: '2000' },
  churn: {
    type: 'string',
    value: 'RATE',
    description: 'simulator only: pod writes per second (0: none); try 5000',
    default: '50',
  },
} as const;

/**
 * What `--help` says about the dashboard.
 *
 * @example
 * ```ts
 * process.stdout.write(helpText(dashboardCommand, dashboardFlags));
 * ```
 */
export const dashboardCommand: CommandInfo = {
  name: 'dashboard',
  summary:
    'Serves a web page with the live state of rxinformer informers: pods, deployments, configmaps and nodes\n' +
    'updating in place, events per second and relists, batch sizes, informer health and Prometheus metrics\n' +
    '(also on /metrics). Without --kubeconfig, --context or $KUBECONFIG it runs on an embedded simulator\n' +
    'with a churning workload.',
  epilog: [
    'Examples:',
    '  npm start                                         # simulator, http://127.0.0.1:8080/',
    '  npm start -- --churn 5000 --port 0                # a busier simulator on a free port',
    '  npm start -- --kubeconfig ~/.kube/config --context kind-dev -n shop',
  ].join('\n'),
};

/**
 * The dashboard's settings, checked.
 *
 * @example
 * ```ts
 * const settings = dashboardSettings(parseFlags(dashboardCommand, dashboardFlags, process.argv.slice(2)).values!);
 * ```
 */
export function dashboardSettings(values: FlagValues<typeof dashboardFlags>) {
  return {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
    selector: values.selector,
    host: values.host,
    port: intFlag('port', values.port, { min: 0, max: 65535 }),
    window: intFlag('window', values.window, { min: 10, max: 10_000 }),
    pods: intFlag('pods', values.pods, { min: 0, max: 1_000_000 }),
    churn: intFlag('churn', values.churn, { min: 0, max: 100_000 }),
  };
}
