import { NEVER, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { defineResource, silentLogger, type InformerEvent, type KubeObject } from '../../src/index.js';
import { SharedInformer, type SharedInformerConfig } from '../../src/shared-informer.js';
import { FakeListerWatcher } from './fake-lister-watcher.js';
import { unusedClient } from './unused-client.js';

export const Things = defineResource({
  group: '',
  version: 'v1',
  plural: 'things',
  kind: 'Thing',
  namespaced: true,
});
export const ctx = { verb: 'list' as const, resource: 'things' };
export const status = (code: number, reason: string) => ({ kind: 'Status', code, reason, message: reason });

/** One event as a short line: `ADDED a`, `DELETED b (unknown)`, `SYNCED`. */
export function describeEvent(e: InformerEvent): string {
  return e.type === 'SYNCED'
    ? 'SYNCED'
    : `${e.type} ${e.object.metadata?.name}${e.type === 'DELETED' && e.finalStateUnknown ? ' (unknown)' : ''}`;
}

/**
 * A {@link SharedInformer} over a {@link FakeListerWatcher} in virtual time, with helpers to
 * record its events and drive the test's timeline.
 */
export function virtualInformer(overrides: Partial<SharedInformerConfig<KubeObject>> = {}) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const lw = new FakeListerWatcher<KubeObject>(scheduler);
  const informer = new SharedInformer<KubeObject>({
    resource: Things,
    scope: {},
    indexers: {},
    listerWatcher: lw,
    scheduler,
    random: () => 0,
    logger: silentLogger,
    resyncPeriod: 0,
    lingerMs: 0,
    prepare: (o) => o,
    reflector: { watchList: 'never', watchdogMs: 0 },
    shutdown: NEVER,
    client: unusedClient(),
    ...overrides,
  });
  const events: { at: number; event: InformerEvent }[] = [];
  const subscriptions: Subscription[] = [];
  const track = (s: Subscription) => (subscriptions.push(s), s);
  const record = () =>
    track(informer.events$.subscribe((event) => events.push({ at: scheduler.now(), event })));
  const at = (ms: number, fn: () => void) => scheduler.schedule(fn, ms);
  // Virtual time runs until nothing is scheduled: end every test by unsubscribing at a fixed time.
  const end = (ms: number) => at(ms, () => subscriptions.forEach((s) => s.unsubscribe()));
  const describeEvents = () => events.map(({ event }) => describeEvent(event));
  /** The cache as `name@resourceVersion`, sorted. */
  const cache = () =>
    informer.store
      .list()
      .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
      .sort();
  return { scheduler, lw, informer, events, record, at, end, track, describeEvents, cache };
}
