import type { KubeConfig } from '@kubernetes/client-node';
import { batchEvents, coalesceByKey } from '@rxinformer/batching';
import {
  createInformerFactory,
  Pods,
  type Informer,
  type InformerEvent,
  type InformerFactory,
  type InformerScope,
} from '@rxinformer/core';
import { informerMetrics, instrumentInformer, measureBatches, measureEvents } from '@rxinformer/metrics';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  asyncScheduler,
  Observable,
  share,
  Subject,
  Subscription,
  switchMap,
  take,
  timer,
  type SchedulerLike,
} from 'rxjs';
import type { Pod, Thresholds } from './pod-problems.js';
import { UnhealthyPods, type HealthReport } from './unhealthy-pods.js';

/**
 * Options of {@link watchPodHealth}.
 *
 * @example
 * ```ts
 * const options: PodHealthOptions = { kubeConfig: kc, namespace: 'shop', thresholds: { restarts: 5, notReadyMs: 300_000 }, windowMs: 10_000, registry };
 * ```
 */
export interface PodHealthOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly thresholds: Thresholds;
  /** One report per window (ms); events are coalesced per pod over it. */
  readonly windowMs: number;
  /** Where the `rxinformer_*` and `pod_health_*` metrics go. */
  readonly registry: Registry;
  readonly scheduler?: SchedulerLike;
}

/**
 * A running pod-health watch.
 *
 * @example
 * ```ts
 * const health = watchPodHealth({ kubeConfig: kc, thresholds: { restarts: 5, notReadyMs: 300_000 }, windowMs: 10_000, registry });
 * health.reports$.subscribe((r) => console.log(r.unhealthy.length));
 * ```
 */
export interface PodHealth {
  readonly factory: InformerFactory;
  readonly pods: Informer<Pod>;
  /** Events of the pod informer (shared): for a progress bar. */
  readonly events$: Observable<InformerEvent<Pod>>;
  /** A report right after the first sync, then one per window. Errors with the informer's fatal error. */
  readonly reports$: Observable<HealthReport>;
  /** Stops the informer. */
  close(): void;
}

/**
 * Watches pods and reports the unhealthy ones: the informer's events are coalesced per pod over
 * the window and taken in as one batch per window (`coalesceByKey`, `batchEvents`), folded into an {@link UnhealthyPods}
 * tracker, and a {@link HealthReport} is made after the first sync and then once per window.
 * Metrics: `pod_health_unhealthy_pods{reason}`, `pod_health_pods`, `pod_health_reports_total`,
 * and the informer's `rxinformer_*`.
 *
 * @example
 * ```ts
 * const health = watchPodHealth({ kubeConfig: kc, thresholds: { restarts: 5, notReadyMs: 300_000 }, windowMs: 10_000, registry });
 * health.reports$.subscribe((report) => logReport(logger, report, 'json'));
 * ```
 */
export function watchPodHealth(options: PodHealthOptions): PodHealth {
  const scheduler = options.scheduler ?? asyncScheduler;
  const factory = createInformerFactory({ kubeConfig: options.kubeConfig, scheduler });
  const scope: InformerScope = {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
  };
  const pods = factory.informer(Pods, scope);
  const metrics = informerMetrics(options.registry, { scheduler });
  const unhealthyGauge = new Gauge({
    name: 'pod_health_unhealthy_pods',
    help: 'Unhealthy pods in the last report, by reason',
    labelNames: ['reason'],
    registers: [options.registry],
  });
  const podsGauge = new Gauge({
    name: 'pod_health_pods',
    help: 'Pods watched',
    registers: [options.registry],
  });
  const reportsTotal = new Counter({
    name: 'pod_health_reports_total',
    help: 'Reports made',
    registers: [options.registry],
  });
  const tracker = new UnhealthyPods(options.thresholds);
  const events$ = pods.events$.pipe(measureEvents(metrics, 'pods'), share());
  const synced = new Subject<void>();

  const reports$ = new Observable<HealthReport>((subscriber) => {
    const make = (): void => {
      const report = tracker.report(scheduler.now());
      reportsTotal.inc();
      podsGauge.set(report.pods);
      unhealthyGauge.reset();
      for (const entry of report.unhealthy)
        for (const reason of new Set(entry.problems.map((p) => p.reason))) unhealthyGauge.inc({ reason });
      subscriber.next(report);
    };
    const inner = new Subscription();
    inner.add(instrumentInformer(pods, metrics));
    inner.add(
      events$
        .pipe(
          coalesceByKey<Pod>({ window: options.windowMs, scheduler }),
          // maxWait 0: one batch per coalesced window (its events arrive in one synchronous burst).
          batchEvents({ maxSize: 5000, maxWait: 0, scheduler }),
          measureBatches(metrics, 'pods'),
        )
        .subscribe({
          next: (batch) => {
            for (const event of batch) tracker.apply(event);
            if (batch.some((e) => e.type === 'SYNCED')) synced.next();
          },
          error: (error: unknown) => subscriber.error(error),
        }),
    );
    inner.add(
      synced
        .pipe(
          take(1),
          switchMap(() => timer(0, options.windowMs, scheduler)),
        )
        .subscribe(make),
    );
    return inner;
  }).pipe(share());

  return {
    factory,
    pods,
    events$,
    reports$,
    close() {
      factory.shutdown();
    },
  };
}
