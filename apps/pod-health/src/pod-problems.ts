import type { V1Pod } from '@kubernetes/client-node';
import type { Wire } from '@rxinformer/core';

/** A pod as informers deliver it. */
export type Pod = Wire<V1Pod>;

/**
 * When a pod counts as unhealthy.
 *
 * @example
 * ```ts
 * const thresholds: Thresholds = { restarts: 5, notReadyMs: 300_000 };
 * ```
 */
export interface Thresholds {
  /** More restarts than this (of one container) is a problem. */
  readonly restarts: number;
  /** Not Ready for longer than this (ms) is a problem. */
  readonly notReadyMs: number;
}

/**
 * One thing wrong with a pod: a waiting reason such as `CrashLoopBackOff` or `ImagePullBackOff`,
 * `Restarts` over the threshold, `NotReady` for too long, or the `Failed` phase.
 *
 * @example
 * ```ts
 * const problem: Problem = { reason: 'CrashLoopBackOff', container: 'web', detail: 'back-off 5m0s restarting failed container' };
 * ```
 */
export interface Problem {
  readonly reason: string;
  readonly container?: string;
  readonly detail: string;
}

/** Waiting reasons that mean a container cannot run, as kubectl shows them. */
const BAD_WAITING = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/**
 * Since when a pod has not been Ready (epoch ms), or `undefined` if it is Ready or has finished:
 * the Ready condition's last transition, else its start or creation time.
 *
 * @example
 * ```ts
 * const since = notReadySince(pod); // 1767225600000
 * ```
 */
export function notReadySince(pod: Pod): number | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  const at = ready?.lastTransitionTime ?? pod.status?.startTime ?? pod.metadata?.creationTimestamp;
  const ms = at === undefined ? Number.NaN : Date.parse(String(at));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * What is wrong with a pod at `now` (epoch ms); empty when it is healthy.
 *
 * @example
 * ```ts
 * podProblems(pod, Date.now(), { restarts: 5, notReadyMs: 300_000 }).map((p) => p.reason); // ['CrashLoopBackOff', 'Restarts']
 * ```
 */
export function podProblems(pod: Pod, now: number, thresholds: Thresholds): Problem[] {
  const problems: Problem[] = [];
  if (pod.status?.phase === 'Failed')
    problems.push({ reason: 'Failed', detail: pod.status.reason ?? pod.status.message ?? 'the pod failed' });
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && BAD_WAITING.has(waiting.reason)) {
      problems.push({
        reason: waiting.reason,
        container: status.name,
        detail: waiting.message ?? waiting.reason,
      });
    }
    if ((status.restartCount ?? 0) > thresholds.restarts) {
      problems.push({
        reason: 'Restarts',
        container: status.name,
        detail: `${status.restartCount} restarts (more than ${thresholds.restarts})`,
      });
    }
  }
  const since = notReadySince(pod);
  if (since !== undefined && now - since > thresholds.notReadyMs) {
    problems.push({
      reason: 'NotReady',
      detail: `not ready for ${formatDuration(now - since)} (more than ${formatDuration(thresholds.notReadyMs)})`,
    });
  }
  return problems;
}

/**
 * A duration as kubectl prints ages: `45s`, `12m`, `3h5m`, `2d`.
 *
 * @example
 * ```ts
 * formatDuration(3_900_000); // '1h5m'
 * ```
 */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}
