import { KubeConfig } from '@kubernetes/client-node';
import { batchEvents, consumeWith } from '@rxinformer/batching';
import { Pods, createInformerFactory, type InformerEvent, type KubeObject } from '@rxinformer/core';
import { consoleLogger, logEvents } from '@rxinformer/logging';
import { informerMetrics, measureEvents } from '@rxinformer/metrics';
import { Registry } from 'prom-client';
import { filter, mergeMap, type Subscription } from 'rxjs';
import type { Adapter, AdapterHandle, Subscriber } from './adapter.js';

/** rxinformer: one factory, one shared informer, one `events$` subscription per subscriber. */
export function rxinformer(watchList: 'never' | 'always'): Adapter {
  return (options): AdapterHandle => {
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfig);
    const factory = createInformerFactory({
      kubeConfig: kc,
      stripManagedFields: options.memoryMode !== 'full',
      reflector: { watchList },
      ...options.factoryOptions,
    });
    const pods = factory.informer(Pods, { metadataOnly: options.memoryMode === 'metadata' });
    const subscriptions: Subscription[] = [];
    let slowBatches = 0;
    let resolveSynced!: () => void;
    let rejectSynced!: (e: unknown) => void;
    const synced = new Promise<void>(
      (resolve, reject) => ((resolveSynced = resolve), (rejectSynced = reject)),
    );
    const dispatch = (subscriber: Subscriber, event: InformerEvent<KubeObject>) => {
      switch (event.type) {
        case 'ADDED':
          return subscriber.added(event.object);
        case 'MODIFIED':
          return subscriber.modified(event.object);
        case 'DELETED':
          return subscriber.deleted(event.object);
        case 'SYNCED':
          return resolveSynced();
      }
    };
    options.subscribers.forEach((subscriber, i) => {
      if (i === 0 && options.adapters) {
        // The chain a production app would put between informer and handler; log lines at
        // debug are filtered by an info-level logger, as in production.
        const logger = consoleLogger({ level: 'info', stream: { write: () => undefined } });
        const metrics = informerMetrics(new Registry());
        subscriptions.push(
          pods.events$
            .pipe(
              logEvents(logger, { resource: 'pods' }),
              measureEvents(metrics, 'pods'),
              batchEvents({ maxSize: 500, maxWait: 10 }),
            )
            .subscribe({
              next: (batch) => batch.forEach((event) => dispatch(subscriber, event)),
              error: rejectSynced,
            }),
        );
        return;
      }
      subscriptions.push(
        pods.events$.subscribe({ next: (event) => dispatch(subscriber, event), error: rejectSynced }),
      );
    });
    if (options.slowSubscriber) {
      subscriptions.push(
        pods.events$
          .pipe(
            filter((event) => event.type === 'MODIFIED'),
            batchEvents({ maxSize: 1000, maxWait: 100 }),
            consumeWith(() => new Promise<void>((resolve) => setTimeout(resolve, 500)), {
              queueSize: 100,
              overflow: 'drop-oldest',
            }),
            mergeMap(async () => void slowBatches++),
          )
          .subscribe(),
      );
    }
    return {
      synced,
      size: () => pods.store.size,
      slowBatches: () => slowBatches,
      stop: () => {
        subscriptions.forEach((s) => s.unsubscribe());
        factory.shutdown();
      },
    };
  };
}
