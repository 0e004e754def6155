import {
  resourceName,
  type Informer,
  type InformerHealth,
  type InformerPhase,
  type KubeObject,
} from '@rxinformer/core';
import type { Subscription } from 'rxjs';
import { resourceTimes, type InformerMetrics } from './informer-metrics.js';

/**
 * Options of {@link instrumentInformer}.
 *
 * @example
 * ```ts
 * const shopPods = informers.informer(Pods, { namespace: 'shop' });
 * instrumentInformer(shopPods, metrics, { resourceLabel: 'pods/shop' });
 * ```
 *
 * @see {@link instrumentInformer}
 */
export interface InstrumentOptions {
  /** The `resource` label. Default `resourceName(informer.resource)` (`deployments.apps`); set it when two informers watch the same resource. */
  readonly resourceLabel?: string;
}

const PHASES: readonly InformerPhase[] = ['idle', 'listing', 'watching', 'backoff', 'relisting', 'failed'];
const MAX_REASONS = 32;

/**
 * Feeds an informer's `health$` into the metrics until the returned subscription is
 * unsubscribed (subscribing to `health$` starts the informer, as any subscriber does):
 * `rxinformer_store_objects`, `rxinformer_informer_synced`, `rxinformer_informer_phase`, the
 * increases of restarts and relists into `rxinformer_watch_restarts_total` and
 * `rxinformer_relists_total` (labelled with `lastReason`, cut to 64 characters; beyond 32
 * distinct reasons, `other`), the time from entering `listing`/`relisting` to `watching` into
 * `rxinformer_list_duration_seconds`, and the last event and bookmark times that the
 * `rxinformer_seconds_since_*` gauges turn into ages on each scrape. Unsubscribing removes the
 * informer's gauges; counters and histograms keep their totals. It never throws into the
 * process: a snapshot it cannot record (one whose numbers prom-client rejects) is skipped and
 * the next one catches up, and an error of `health$` ends the instrumentation quietly.
 *
 * ```
 * health$:  -L---W---R-W-|   (L listing at 1, W watching at 5, R relisting at 9 with reason "410 Expired")
 * metrics:  list_duration{resource} observes 0.004 s and 0.002 s; relists_total{reason="410 Expired"} 1
 * ```
 *
 * @example
 * ```ts
 * import { informerMetrics, instrumentInformer } from '@rxinformer/metrics';
 *
 * const metrics = informerMetrics(registry);
 * const instrumentation = instrumentInformer(informers.informer(Pods), metrics);
 * // later
 * instrumentation.unsubscribe();
 * ```
 *
 * @see {@link informerMetrics}
 * @see {@link measureEvents}
 */
export function instrumentInformer<T extends KubeObject>(
  informer: Pick<Informer<T>, 'resource' | 'health$'>,
  metrics: InformerMetrics,
  options: InstrumentOptions = {},
): Subscription {
  const resource = options.resourceLabel ?? resourceName(informer.resource);
  const labels = { resource };
  const storeObjects = metrics.storeObjects.labels(labels);
  const synced = metrics.synced.labels(labels);
  const listDuration = metrics.listDuration.labels(labels);
  const phases = PHASES.map((phase) => [phase, metrics.phase.labels({ resource, phase })] as const);
  const reasons = new Set<string>();
  const reasonOf = (h: InformerHealth): string => {
    const reason = (h.lastReason ?? 'unknown').slice(0, 64);
    if (reasons.has(reason) || reasons.size < MAX_REASONS) {
      reasons.add(reason);
      return reason;
    }
    return 'other';
  };
  const times = resourceTimes(metrics);
  const entry = {
    lastEventAt: undefined as number | undefined,
    lastBookmarkAt: undefined as number | undefined,
  };
  times.set(resource, entry);

  let prev: InformerHealth | undefined;
  let listStartedAt: number | undefined;
  const record = (h: InformerHealth): void => {
    const now = metrics.scheduler.now();
    entry.lastEventAt = h.lastEventAt;
    entry.lastBookmarkAt = h.lastBookmarkAt;
    storeObjects.set(h.size);
    synced.set(h.synced ? 1 : 0);
    if (h.phase !== prev?.phase) {
      for (const [phase, gauge] of phases) gauge.set(phase === h.phase ? 1 : 0);
      if (h.phase === 'listing' || h.phase === 'relisting') listStartedAt = now;
      else if (h.phase === 'watching' && listStartedAt !== undefined)
        listDuration.observe(Math.max(0, now - listStartedAt) / 1000);
      if (h.phase !== 'listing' && h.phase !== 'relisting') listStartedAt = undefined;
    }
    const restarts = h.restarts - (prev?.restarts ?? 0);
    if (restarts > 0) metrics.watchRestarts.inc({ resource, reason: reasonOf(h) }, restarts);
    const relists = h.relists - (prev?.relists ?? 0);
    if (relists > 0) metrics.relists.inc({ resource, reason: reasonOf(h) }, relists);
    prev = h;
  };
  const subscription = informer.health$.subscribe({
    next: (h) => {
      try {
        record(h);
      } catch {
        // A snapshot prom-client rejects is skipped; `prev` stays, so the next one catches up.
      }
    },
    // health$ reports failures as a phase; should it error anyway, the instrumentation ends
    // (removing its gauges) instead of the error being rethrown into the process.
    error: () => undefined,
  });
  subscription.add(() => {
    if (times.get(resource) === entry) times.delete(resource);
    for (const gauge of [
      metrics.storeObjects,
      metrics.synced,
      metrics.secondsSinceLastEvent,
      metrics.secondsSinceLastBookmark,
    ])
      gauge.remove(labels);
    for (const phase of PHASES) metrics.phase.remove({ resource, phase });
  });
  return subscription;
}
