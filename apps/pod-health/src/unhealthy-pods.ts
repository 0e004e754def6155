import { objectKey, type InformerEvent } from '@rxinformer/core';
import { podProblems, type Pod, type Problem, type Thresholds } from './pod-problems.js';

/**
 * One unhealthy pod in a report.
 *
 * @example
 * ```ts
 * const entry: UnhealthyPod = { pod: 'shop/web-1', node: 'node-3', problems: [{ reason: 'CrashLoopBackOff', detail: '…' }] };
 * ```
 */
export interface UnhealthyPod {
  readonly pod: string;
  readonly node: string | undefined;
  readonly problems: readonly Problem[];
}

/**
 * What a reporting window found: every unhealthy pod, and what changed since the last report.
 *
 * @example
 * ```ts
 * const report = new UnhealthyPods({ restarts: 5, notReadyMs: 300_000 }).report(Date.now());
 * if (report.newlyUnhealthy.length > 0) console.warn('newly unhealthy:', report.newlyUnhealthy.join(', '));
 * ```
 */
export interface HealthReport {
  readonly at: number;
  readonly pods: number;
  readonly unhealthy: readonly UnhealthyPod[];
  /** Keys of pods unhealthy now and not in the last report (or with other reasons). */
  readonly newlyUnhealthy: readonly string[];
  /** Keys of pods in the last report that are healthy or gone now. */
  readonly recovered: readonly string[];
}

/**
 * Follows the pods of an informer and reports the unhealthy ones. It keeps only pods that have
 * a problem or are not Ready (a Ready pod without waiting containers costs nothing), and checks
 * time-based problems (NotReady for too long) when a report is made.
 *
 * @example
 * ```ts
 * const tracker = new UnhealthyPods({ restarts: 5, notReadyMs: 300_000 });
 * pods.events$.subscribe((e) => tracker.apply(e));
 * const report = tracker.report(Date.now());
 * ```
 */
export class UnhealthyPods {
  private readonly watched = new Map<string, Pod>();
  private readonly total = new Set<string>();
  private last = new Map<string, string>();

  constructor(private readonly thresholds: Thresholds) {}

  /** Takes in one informer event. */
  apply(event: InformerEvent<Pod>): void {
    if (event.type === 'SYNCED') return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') {
      this.watched.delete(key);
      this.total.delete(key);
      return;
    }
    this.total.add(key);
    const candidate = podProblems(event.object, Number.POSITIVE_INFINITY, this.thresholds).length > 0;
    if (candidate) this.watched.set(key, event.object);
    else this.watched.delete(key);
  }

  /** The unhealthy pods at `now`, sorted by key, and what changed since the last report. */
  report(now: number): HealthReport {
    const unhealthy: UnhealthyPod[] = [];
    const current = new Map<string, string>();
    for (const [key, pod] of this.watched) {
      const problems = podProblems(pod, now, this.thresholds);
      if (problems.length === 0) continue;
      unhealthy.push({ pod: key, node: pod.spec?.nodeName, problems });
      current.set(key, problems.map((p) => p.reason).join(','));
    }
    unhealthy.sort((a, b) => (a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
    const newlyUnhealthy = [...current]
      .filter(([key, reasons]) => this.last.get(key) !== reasons)
      .map(([key]) => key)
      .sort();
    const recovered = [...this.last.keys()].filter((key) => !current.has(key)).sort();
    this.last = current;
    return { at: now, pods: this.total.size, unhealthy, newlyUnhealthy, recovered };
  }
}
