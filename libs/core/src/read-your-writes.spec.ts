import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { advance, flushPromises, track } from '../test/support/settle.js';
import { CacheWriter } from './cache-writer.js';
import type { Write } from './client/write.js';
import { InformerStoppedError } from './errors.js';
import { HealthTracker } from './health-tracker.js';
import { IndexedStore } from './indexed-store.js';
import type { InformerScope } from './informer.js';
import { WriteWaiter } from './read-your-writes.js';
import type { ReflectorEvent } from './reflector-events.js';
import type { KubeObject } from './resources/kube-object.js';
import { defineResource } from './resources/resource.js';
import { VersionQueue } from './version-queue.js';
import { WaitForTimeoutError } from './wait-for-timeout-error.js';

const Things = defineResource({
  group: 'example.com',
  version: 'v1',
  plural: 'things',
  kind: 'Thing',
  namespaced: true,
});

const thing = (name: string, resourceVersion: string, uid = `uid-${name}`): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion, uid },
});

const deletion = (name: string, uid: string | undefined, resourceVersion?: string): Write => ({
  resource: Things,
  namespace: 'ns',
  name,
  uid,
  resourceVersion,
  deleted: true,
  object: undefined,
});

/** A waiter over a real store and cache writer, fed reflector events by hand. */
function setup(scope: InformerScope = {}) {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const store = new IndexedStore<KubeObject>({});
  const health = new HealthTracker(scheduler);
  const writer = new CacheWriter(
    store,
    (o) => o,
    () => undefined,
    health,
    'things.example.com',
  );
  const waiter = new WriteWaiter<KubeObject>({
    resource: Things,
    scope,
    store,
    processed: () => writer.lastResourceVersion,
    scheduler,
    health,
  });
  waiter.start();
  const apply = (event: ReflectorEvent<KubeObject>) => {
    writer.apply(event);
    waiter.applied(event);
  };
  const list = (resourceVersion: string, ...items: KubeObject[]) => {
    apply({ type: 'list-start', relist: writer.isSynced });
    for (const object of items) apply({ type: 'list-item', object });
    apply({ type: 'list-done', resourceVersion });
  };
  return { scheduler, store, health, waiter, apply, list };
}

describe('WriteWaiter', () => {
  it('settles the waits a resourceVersion reaches, in order, leaving the later ones queued', async () => {
    const { waiter, apply, list } = setup();
    list('10');
    const waits = ['14', '12', '11', '13'].map((rv) => track(waiter.waitFor(thing('a', rv))));
    expect(waiter.pending).toBe(4);
    apply({ type: 'bookmark', resourceVersion: '12' });
    await flushPromises();
    expect(waits.map((w) => w.state)).toEqual(['pending', 'resolved', 'resolved', 'pending']);
    expect(waiter.pending).toBe(2);
    apply({ type: 'added', object: thing('b', '14') });
    await flushPromises();
    expect(waits.map((w) => w.state)).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);
    expect(waiter.pending).toBe(0);
  });

  it('orders resourceVersions as integers, not as strings', async () => {
    const { waiter, apply, list } = setup();
    list('9');
    const wait = track(waiter.waitFor(thing('a', '10')));
    apply({ type: 'bookmark', resourceVersion: '9' });
    await flushPromises();
    expect(wait.state).toBe('pending');
    apply({ type: 'bookmark', resourceVersion: '100' });
    await flushPromises();
    expect(wait.state).toBe('resolved');
  });

  it('resolves at once for a version already processed', async () => {
    const { waiter, list } = setup();
    list('20');
    const wait = track(waiter.waitFor(thing('a', '19')));
    await flushPromises();
    expect(wait.state).toBe('resolved');
    expect(waiter.pending).toBe(0);
  });

  it('resolves on the exact version cached while the first list streams in, before its end', async () => {
    const { waiter, apply } = setup();
    apply({ type: 'list-start', relist: false });
    const wait = track(waiter.waitFor(thing('a', '7')));
    apply({ type: 'list-item', object: thing('b', '8') });
    await flushPromises();
    expect(wait.state).toBe('pending');
    apply({ type: 'list-item', object: thing('a', '7') });
    await flushPromises();
    expect(wait.state).toBe('resolved');
  });

  it('waits for a deletion until the key is gone and its version is processed', async () => {
    const { waiter, apply, list } = setup();
    list('5');
    // Deleted by us after a create at 6 that the informer has not seen yet.
    const wait = track(waiter.waitFor(deletion('a', 'uid-a', '6')));
    await flushPromises();
    expect(wait.state).toBe('pending');
    apply({ type: 'added', object: thing('a', '6') });
    await flushPromises();
    expect(wait.state).toBe('pending');
    apply({ type: 'deleted', object: thing('a', '7') });
    await flushPromises();
    expect(wait.state).toBe('resolved');
  });

  it('counts an object with another uid as the deleted one gone, and without a uid waits for absence', async () => {
    const { waiter, apply, list } = setup();
    list('5', thing('a', '3', 'old'), thing('b', '4', 'old'));
    const recreated = track(waiter.waitFor(deletion('a', 'old', '3')));
    const noUid = track(waiter.waitFor(deletion('b', undefined, '4')));
    apply({ type: 'modified', object: thing('a', '6', 'new') });
    apply({ type: 'modified', object: thing('b', '7', 'new') });
    await flushPromises();
    expect(recreated.state).toBe('resolved');
    expect(noUid.state).toBe('pending');
    apply({ type: 'deleted', object: thing('b', '8', 'new') });
    await flushPromises();
    expect(noUid.state).toBe('resolved');
  });

  it('treats a relist as processing up to its resourceVersion, and re-checks every key', async () => {
    const { waiter, apply, list } = setup();
    list('5', thing('a', '3'));
    const written = track(waiter.waitFor(thing('b', '8')));
    const deleted = track(waiter.waitFor(deletion('a', 'uid-a', '3')));
    apply({ type: 'list-start', relist: true });
    apply({ type: 'list-item', object: thing('c', '9') });
    await flushPromises();
    expect([written.state, deleted.state]).toEqual(['pending', 'pending']);
    apply({ type: 'list-done', resourceVersion: '9' });
    await flushPromises();
    expect([written.state, deleted.state]).toEqual(['resolved', 'resolved']);
  });

  it('falls back to exact versions once a resourceVersion is not an integer, and says so in health', async () => {
    const { waiter, apply, list, health } = setup();
    list('5', thing('a', '3'));
    const gated = track(waiter.waitFor(deletion('gone', 'uid-gone', '9')));
    const exact = track(waiter.waitFor(thing('a', '9')));
    expect(health.current.resourceVersionOrder).toBe('integer');
    apply({ type: 'modified', object: thing('b', 'c2VjcmV0') });
    await flushPromises();
    expect(health.current.resourceVersionOrder).toBe('opaque');
    // The deletion no longer waits for a version it cannot order; the update waits for its own.
    expect(gated.state).toBe('resolved');
    apply({ type: 'bookmark', resourceVersion: '100' });
    await flushPromises();
    expect(exact.state).toBe('pending');
    apply({ type: 'modified', object: thing('a', '9') });
    await flushPromises();
    expect(exact.state).toBe('resolved');
  });

  it('detects opaque versions from a list, with nothing waiting, and from the write itself', () => {
    const listed = setup();
    listed.list('0123');
    expect(listed.health.current.resourceVersionOrder).toBe('opaque');
    const written = setup();
    written.list('5');
    void written.waiter.waitFor(thing('a', 'v2')).catch(() => undefined);
    expect(written.health.current.resourceVersionOrder).toBe('opaque');
    expect(written.waiter.pending).toBe(1);
  });

  it('times out on the scheduler, naming the key and both versions, and forgets the wait', async () => {
    const { scheduler, waiter, list } = setup();
    list('5');
    const wait = track(waiter.waitFor(thing('a', '9'), { timeoutMs: 1_000 }));
    await advance(scheduler, 999);
    expect(wait.state).toBe('pending');
    await advance(scheduler, 1);
    expect(wait.state).toBe('rejected');
    const error = wait.error as WaitForTimeoutError;
    expect(error).toBeInstanceOf(WaitForTimeoutError);
    expect(error).toMatchObject({
      transient: true,
      resource: 'things.example.com',
      objectKey: 'ns/a',
      resourceVersion: '9',
      processedResourceVersion: '5',
      timeoutMs: 1_000,
    });
    expect(error.message).toBe(
      'waitFor timed out after 1000 ms: the things.example.com informer has not shown ns/a at resourceVersion 9; it has processed resourceVersion 5',
    );
    expect(waiter.pending).toBe(0);
  });

  it('times out after 5 s by default, and never with 0 or Infinity', async () => {
    const { scheduler, waiter, list } = setup();
    list('5');
    const byDefault = track(waiter.waitFor(thing('a', '9')));
    const never = track(waiter.waitFor(thing('a', '9'), { timeoutMs: 0 }));
    const forever = track(waiter.waitFor(thing('a', '9'), { timeoutMs: Infinity }));
    await advance(scheduler, 4_999);
    expect(byDefault.state).toBe('pending');
    await advance(scheduler, 1);
    expect(byDefault.state).toBe('rejected');
    expect(scheduler.actions).toHaveLength(0);
    await advance(scheduler, 60_000);
    expect([never.state, forever.state]).toEqual(['pending', 'pending']);
  });

  it('cancels the timer and the abort listener when a wait resolves', async () => {
    const { scheduler, waiter, apply, list } = setup();
    list('5');
    const { signal } = new AbortController();
    const added = vi.spyOn(signal, 'addEventListener');
    const removed = vi.spyOn(signal, 'removeEventListener');
    const wait = track(waiter.waitFor(thing('a', '9'), { signal }));
    expect(added).toHaveBeenCalledTimes(1);
    expect(scheduler.actions).toHaveLength(1);
    apply({ type: 'bookmark', resourceVersion: '9' });
    await flushPromises();
    expect(wait.state).toBe('resolved');
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]![1]);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('rejects with the abort reason, taking only that wait out of the queue', async () => {
    const { scheduler, waiter, apply, list } = setup();
    list('5');
    const controller = new AbortController();
    const first = track(waiter.waitFor(thing('a', '7')));
    const aborted = track(waiter.waitFor(thing('a', '7'), { signal: controller.signal }));
    const last = track(waiter.waitFor(thing('a', '7')));
    const removed = vi.spyOn(VersionQueue.prototype, 'remove');
    const reason = new Error('reconcile cancelled');
    controller.abort(reason);
    await flushPromises();
    expect(aborted).toEqual({ state: 'rejected', error: reason });
    expect(removed.mock.results).toEqual([{ type: 'return', value: true }]);
    removed.mockRestore();
    expect(waiter.pending).toBe(2);
    expect(scheduler.actions).toHaveLength(2);
    apply({ type: 'bookmark', resourceVersion: '7' });
    await flushPromises();
    expect([first.state, last.state]).toEqual(['resolved', 'resolved']);
    const already = track(waiter.waitFor(thing('a', '8'), { signal: controller.signal }));
    await flushPromises();
    expect(already.error).toBe(reason);
    expect(waiter.pending).toBe(0);
  });

  it('rejects every wait when the informer stops, and later ones until it starts again', async () => {
    const { scheduler, waiter, list } = setup();
    list('5', thing('a', '3'));
    const pending = track(waiter.waitFor(thing('a', '9')));
    const gone = track(waiter.waitFor(deletion('a', 'uid-a')));
    waiter.stop();
    await flushPromises();
    expect(pending.error).toBeInstanceOf(InformerStoppedError);
    expect((pending.error as Error).message).toBe(
      'the things.example.com informer stopped while waiting for ns/a at resourceVersion 9',
    );
    expect((gone.error as Error).message).toMatch(/while waiting for the deletion of ns\/a$/);
    expect(scheduler.actions).toHaveLength(0);
    const late = track(waiter.waitFor(thing('a', '9')));
    const fatal = new Error('forbidden');
    waiter.start();
    const failing = track(waiter.waitFor(thing('a', '9')));
    waiter.stop(fatal);
    const afterFailure = track(waiter.waitFor(thing('a', '9')));
    await flushPromises();
    expect(late.error).toBeInstanceOf(InformerStoppedError);
    expect((late.error as Error).message).toMatch(/is not running/);
    expect(failing.error).toBe(fatal);
    expect(afterFailure.error).toBe(fatal);
  });

  it('resolves at once for writes the informer can never cache', async () => {
    const { waiter, list } = setup({
      namespace: 'ns',
      labelSelector: 'app=web',
      fieldSelector: 'status.phase=Running',
    });
    list('5');
    const meta = { namespace: 'ns', resourceVersion: '9' };
    const outcomes = [
      waiter.waitFor({ metadata: { ...meta, name: 'a', namespace: 'other' } }),
      waiter.waitFor({
        metadata: { ...meta, name: 'b', labels: { app: 'db' } },
        status: { phase: 'Running' },
      } as KubeObject),
      waiter.waitFor({
        metadata: { ...meta, name: 'c', labels: { app: 'web' } },
        status: { phase: 'Failed' },
      } as KubeObject),
      waiter.waitFor({ ...deletion('d', 'uid-d', '9'), namespace: 'other' }),
    ].map(track);
    // Without the field it selects on, the object cannot be proven out of the field selector.
    const unknown = track(waiter.waitFor({ metadata: { ...meta, name: 'e', labels: { app: 'web' } } }));
    await flushPromises();
    expect(outcomes.map((o) => o.state)).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);
    expect(unknown.state).toBe('pending');
  });

  it('waits for an object the write moved out of the selector to leave the cache', async () => {
    const { waiter, apply, list } = setup({ labelSelector: 'app=web' });
    list('5', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '4', labels: { app: 'web' } } });
    const moved = { metadata: { name: 'a', namespace: 'ns', resourceVersion: '9', labels: { app: 'db' } } };
    const wait = track(waiter.waitFor(moved));
    await flushPromises();
    expect(wait.state).toBe('pending');
    apply({ type: 'deleted', object: moved });
    await flushPromises();
    expect(wait.state).toBe('resolved');
  });

  it('in opaque mode, waits for an object moved out of the selector only until it leaves the cache', async () => {
    const { waiter, apply, list } = setup({ labelSelector: 'app=web' });
    list('r5', { metadata: { name: 'a', namespace: 'ns', resourceVersion: 'r4', labels: { app: 'web' } } });
    const moved = { metadata: { name: 'a', namespace: 'ns', resourceVersion: 'r9', labels: { app: 'db' } } };
    const wait = track(waiter.waitFor(moved));
    apply({ type: 'deleted', object: { ...moved, metadata: { ...moved.metadata, resourceVersion: 'r10' } } });
    await flushPromises();
    expect(wait.state).toBe('resolved');
  });

  it('refuses writes of another resource, without a name or version, and a bad timeout', async () => {
    const { waiter, list } = setup();
    list('5');
    // Another version of the same group and plural would share its resourceVersions: not this.
    const Other = defineResource({
      group: 'other.example.com',
      version: 'v2',
      plural: 'things',
      kind: 'Thing',
      namespaced: true,
    });
    const results = [
      waiter.waitFor({ ...deletion('a', undefined), resource: Other }),
      waiter.waitFor({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '1' } }),
      waiter.waitFor({ metadata: { namespace: 'ns', resourceVersion: '1' } }),
      waiter.waitFor({ metadata: { name: 'a', namespace: 'ns' } }),
      waiter.waitFor(thing('a', '9'), { timeoutMs: -1 }),
    ].map(track);
    await flushPromises();
    expect(results.map((r) => (r.error as Error).constructor.name)).toEqual([
      'TypeError',
      'TypeError',
      'TypeError',
      'TypeError',
      'RangeError',
    ]);
    expect((results[0]!.error as Error).message).toBe(
      'waitFor: a write of things (other.example.com/v2) cannot show in an informer of things (example.com/v1)',
    );
    expect((results[1]!.error as Error).message).toBe(
      'waitFor: a ConfigMap (v1) cannot show in an informer of things (example.com/v1)',
    );
    expect(waiter.pending).toBe(0);
  });
});
