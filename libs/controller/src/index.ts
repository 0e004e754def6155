export {
  defaultControllerRateLimiter,
  exponentialFailureRateLimiter,
  maxOfRateLimiter,
  tokenBucketRateLimiter,
  type ExponentialFailureOptions,
  type RateLimiter,
  type TokenBucketOptions,
} from './rate-limiter.js';
export {
  LOW_PRIORITY,
  WorkQueue,
  type AddOptions,
  type ShutDownOptions,
  type WorkQueueOptions,
} from './work-queue.js';
export { controller, type Controller } from './controller.js';
export {
  DEFAULT_RECONCILE_TIMEOUT_MS,
  DEFAULT_WRITE_VISIBILITY_TIMEOUT_MS,
  type ControllerOptions,
  type WatchSpec,
} from './controller-options.js';
export type { ControllerFailure, ControllerPhase, ControllerStatus } from './controller-status.js';
export type { ReconcileOutcome, ReconcileRequest, Reconciler } from './reconcile-request.js';
export { controllerOwnerKeys } from './owner-key.js';
export type { KeyFilter, KeyOwnership } from './key-ownership.js';
export type { LeaseTimings } from './lease-timings.js';
export type { LeaseHealth, LeasePhase } from './lease-health.js';
export { LeaseClient, microTime, type Lease } from './lease-client.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-elector.js';
export {
  SHARD_GROUP_LABEL,
  ShardMembership,
  type ShardView,
  type ShardingOptions,
} from './shard-membership.js';
export { rendezvousOwner } from './rendezvous.js';
