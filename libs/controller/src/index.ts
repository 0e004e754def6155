export {
  defaultControllerRateLimiter,
  exponentialFailureRateLimiter,
  maxOfRateLimiter,
  tokenBucketRateLimiter,
  type ExponentialFailureOptions,
  type RateLimiter,
  type TokenBucketOptions,
} from './rate-limiter.js';
export { WorkQueue, type ShutDownOptions, type WorkQueueOptions } from './work-queue.js';
export { controller, type Controller, type ControllerOptions, type WatchSpec } from './controller.js';
export type { ReconcileOutcome, ReconcileRequest, Reconciler } from './reconcile-request.js';
export { controllerOwnerKeys } from './owner-key.js';
export type { KeyFilter, KeyOwnership } from './key-ownership.js';
export type { LeaseTimings } from './lease-timings.js';
export { LeaseClient, microTime, type Lease } from './lease-client.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-elector.js';
export {
  SHARD_GROUP_LABEL,
  ShardMembership,
  type ShardView,
  type ShardingOptions,
} from './shard-membership.js';
export { rendezvousOwner } from './rendezvous.js';
