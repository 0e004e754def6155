export {
  helpText,
  intFlag,
  numberFlag,
  parseFlags,
  UsageError,
  type CommandInfo,
  type FlagSpec,
  type FlagSpecs,
  type FlagValues,
  type ParsedFlags,
} from './flags.js';
export { clusterFlags, loadKubeConfig, wantsCluster, type ClusterChoice } from './kube-config.js';
export { startSimulator, type Simulator, type SimulatorWorkload } from './simulator.js';
export { connect, type Connection, type ConnectOptions } from './connect.js';
export { explainError } from './explain-error.js';
export { fail } from './fail.js';
export { awaitSync } from './await-sync.js';
export { onShutdown } from './shutdown.js';
export { parseCommandLine } from './command-line.js';
export { appLogger, logFlags, logSettings, outputFormat, type LogSettings } from './log-flags.js';
