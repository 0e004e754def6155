// Read your writes on a running informer, in virtual time: `informer.waitFor(write)` over a
// fake API whose watch the test drives. `accept` is the API server taking a write the informer
// has not seen yet; `lw.emit` is the watch delivering it.
import { Subject, map } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Write } from '../src/client/write.js';
import { ExpiredError, ForbiddenError, InformerStoppedError } from '../src/errors.js';
import { WriteWaiter } from '../src/read-your-writes.js';
import type { KubeObject } from '../src/resources/kube-object.js';
import type { ListerWatcher } from '../src/transport/types.js';
import { WaitForTimeoutError } from '../src/wait-for-timeout-error.js';
import type { FakeListerWatcher } from './support/fake-lister-watcher.js';
import { advance, flushPromises, track } from './support/settle.js';
import { Things, ctx, status, virtualInformer } from './support/virtual-informer.js';

type Meta = NonNullable<KubeObject['metadata']>;

/** The API server accepted a write: it holds the object at a new resourceVersion; no watch saw it yet. */
function accept(lw: FakeListerWatcher<KubeObject>, name: string, meta: Partial<Meta> = {}): KubeObject {
  const object = {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: String(++lw.rv), ...meta },
  };
  lw.objects.set(name, object);
  return object;
}

const deletionOf = (object: KubeObject): Write => ({
  resource: Things,
  namespace: object.metadata!.namespace,
  name: object.metadata!.name!,
  uid: object.metadata!.uid,
  resourceVersion: object.metadata!.resourceVersion,
  deleted: true,
  object: undefined,
});

/** An informer started and watching, at virtual time 10; `before` runs before it starts. */
async function watching(
  overrides: Parameters<typeof virtualInformer>[0] = {},
  before: (lw: FakeListerWatcher<KubeObject>) => void = () => undefined,
) {
  const setup = virtualInformer(overrides);
  before(setup.lw);
  const run = setup.informer.start();
  await advance(setup.scheduler, 10);
  expect(setup.informer.health.phase).toBe('watching');
  return { ...setup, run, advance: (ms: number) => advance(setup.scheduler, ms) };
}

afterEach(() => vi.restoreAllMocks());

describe('informer.waitFor', () => {
  it('resolves when the watch delivers the event at the written resourceVersion', async () => {
    const { lw, informer, advance, run } = await watching();
    const written = accept(lw, 'a');
    const wait = track(informer.waitFor(written));
    await advance(1_000);
    expect(wait.state).toBe('pending');
    lw.emit({ type: 'ADDED', object: written });
    await flushPromises();
    expect(wait.state).toBe('resolved');
    expect(informer.store.get('ns/a')?.metadata?.resourceVersion).toBe(written.metadata?.resourceVersion);
    run.unsubscribe();
  });

  it('resolves on a later bookmark past the written resourceVersion, for a Write as for an object', async () => {
    const { lw, informer, advance, run } = await watching();
    const written = accept(lw, 'a');
    const write: Write = { ...deletionOf(written), deleted: false, object: written };
    const waits = [track(informer.waitFor(write)), track(informer.waitFor(written))];
    await advance(1_000);
    expect(waits.map((w) => w.state)).toEqual(['pending', 'pending']);
    accept(lw, 'b');
    lw.bookmark();
    await flushPromises();
    expect(waits.map((w) => w.state)).toEqual(['resolved', 'resolved']);
    expect(informer.store.has('ns/a')).toBe(false); // a bookmark says the cache is current, not that it holds a
    run.unsubscribe();
  });

  it('resolves a deletion on its DELETED event, not before', async () => {
    let existing!: KubeObject;
    const { lw, informer, advance, run } = await watching({}, (lw) => (existing = accept(lw, 'a')));
    const wait = track(informer.waitFor(deletionOf(existing)));
    await advance(1_000);
    expect(wait.state).toBe('pending');
    lw.remove('a');
    await flushPromises();
    expect(wait.state).toBe('resolved');
    run.unsubscribe();
  });

  it('does not resolve a deletion on a create it has not seen yet, and resolves it on a recreate with another uid', async () => {
    const { lw, informer, advance, run } = await watching();
    const created = accept(lw, 'b');
    const deleted = track(informer.waitFor(deletionOf(created)));
    await advance(100);
    expect(deleted.state).toBe('pending'); // b is absent only because the informer is behind
    lw.emit({ type: 'ADDED', object: created });
    await flushPromises();
    expect(deleted.state).toBe('pending');
    // Deleted and re-created while the informer was away: its relist brings another uid.
    lw.objects.delete('b');
    accept(lw, 'b', { uid: 'uid-b-2' });
    lw.closeWatches(new ExpiredError(status(410, 'Expired'), ctx));
    await advance(10);
    expect(informer.store.get('ns/b')?.metadata?.uid).toBe('uid-b-2');
    expect(deleted.state).toBe('resolved');
    run.unsubscribe();
  });

  it('resolves at once for a write in another namespace or outside the selectors', async () => {
    const { lw, informer, run } = await watching({
      scope: { namespace: 'ns', labelSelector: 'app=web', fieldSelector: 'status.phase=Running' },
    });
    const outcomes = [
      accept(lw, 'elsewhere', { namespace: 'other', labels: { app: 'web' } }),
      accept(lw, 'db', { labels: { app: 'db' } }),
      { ...accept(lw, 'failed', { labels: { app: 'web' } }), status: { phase: 'Failed' } },
      { ...accept(lw, 'web', { labels: { app: 'web' } }), status: { phase: 'Running' } },
    ].map((object) => track(informer.waitFor(object)));
    await flushPromises();
    expect(outcomes.map((o) => o.state)).toEqual(['resolved', 'resolved', 'resolved', 'pending']);
    run.unsubscribe();
  });

  it('waits for an object the write moved out of the selector until its DELETED', async () => {
    const { lw, informer, advance, run } = await watching({ scope: { labelSelector: 'app=web' } }, (lw) =>
      accept(lw, 'a', { labels: { app: 'web' } }),
    );
    expect(informer.store.has('ns/a')).toBe(true);
    const moved = accept(lw, 'a', { labels: { app: 'db' } });
    const wait = track(informer.waitFor(moved));
    await advance(1_000);
    expect(wait.state).toBe('pending');
    // The API server tells a watch that an object left its selector with a DELETED.
    lw.emit({ type: 'DELETED', object: moved });
    await flushPromises();
    expect(wait.state).toBe('resolved');
    expect(informer.store.has('ns/a')).toBe(false);
    run.unsubscribe();
  });

  it('falls back to exact resourceVersions on a server whose versions are not integers, and says so in health', async () => {
    let fake!: FakeListerWatcher<KubeObject>;
    const opaque: ListerWatcher<KubeObject> = {
      list: (params) =>
        fake.list(params).pipe(map((page) => ({ ...page, resourceVersion: `r${page.resourceVersion}` }))),
      watch: (params) => fake.watch(params),
    };
    const { lw, informer, advance, run } = await watching({ listerWatcher: opaque }, (lw) => (fake = lw));
    expect(informer.health.resourceVersionOrder).toBe('opaque');
    const existing = accept(lw, 'gone', { resourceVersion: 'rG' });
    lw.emit({ type: 'ADDED', object: existing });
    const written = accept(lw, 'a', { resourceVersion: 'rA' });
    const wait = track(informer.waitFor(written));
    const deleted = track(informer.waitFor(deletionOf(existing)));
    lw.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '99999' } } });
    await advance(100);
    expect([wait.state, deleted.state]).toEqual(['pending', 'pending']);
    lw.emit({ type: 'ADDED', object: written });
    lw.emit({ type: 'DELETED', object: existing });
    await flushPromises();
    expect([wait.state, deleted.state]).toEqual(['resolved', 'resolved']);
    run.unsubscribe();
    expect(informer.health.resourceVersionOrder).toBe('integer'); // detected afresh on each start
  });

  it('says integer in health on a server whose versions are integers', async () => {
    const { lw, informer, advance, run } = await watching();
    const written = accept(lw, 'a');
    void informer.waitFor(written, { timeoutMs: 0 });
    lw.emit({ type: 'ADDED', object: written });
    await advance(2_000);
    expect(informer.health.resourceVersionOrder).toBe('integer');
    run.unsubscribe();
  });

  it('rejects with a WaitForTimeoutError naming the key and both resourceVersions after timeoutMs', async () => {
    const { lw, informer, advance, run } = await watching();
    const written = accept(lw, 'a');
    const wait = track(informer.waitFor(written, { timeoutMs: 2_000 }));
    await advance(1_999);
    expect(wait.state).toBe('pending');
    await advance(1);
    expect(wait.error).toBeInstanceOf(WaitForTimeoutError);
    const rv = written.metadata!.resourceVersion!;
    expect(wait.error).toMatchObject({
      objectKey: 'ns/a',
      resourceVersion: rv,
      processedResourceVersion: String(Number(rv) - 1),
      resource: 'things',
    });
    expect((wait.error as Error).message).toContain(`ns/a at resourceVersion ${rv}`);
    run.unsubscribe();
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const { lw, informer, advance, run } = await watching();
    const controller = new AbortController();
    const wait = track(informer.waitFor(accept(lw, 'a'), { signal: controller.signal }));
    await advance(100);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await flushPromises();
    expect(wait).toEqual({ state: 'rejected', error: reason });
    run.unsubscribe();
  });

  it('rejects with InformerStoppedError when the informer is not running, or stops while waiting, without keeping it running', async () => {
    const idle = virtualInformer();
    const early = track(idle.informer.waitFor(accept(idle.lw, 'a')));
    await flushPromises();
    expect(early.error).toBeInstanceOf(InformerStoppedError);

    const { lw, informer, run } = await watching();
    const wait = track(informer.waitFor(accept(lw, 'a')));
    run.unsubscribe();
    await flushPromises();
    expect(wait.error).toBeInstanceOf(InformerStoppedError);
    expect((wait.error as Error).message).toMatch(/stopped while waiting for ns\/a at resourceVersion \d+$/);
    expect(informer.health.phase).toBe('idle');
    expect(lw.openWatches).toBe(0);
  });

  it('rejects when the factory shuts down, and with the fatal error when the informer fails', async () => {
    const shutdown = new Subject<void>();
    const down = await watching({ shutdown });
    const stopped = track(down.informer.waitFor(accept(down.lw, 'a')));
    shutdown.next();
    await flushPromises();
    expect(stopped.error).toBeInstanceOf(InformerStoppedError);

    const { lw, informer, run } = await watching();
    const failing = track(informer.waitFor(accept(lw, 'a')));
    const forbidden = new ForbiddenError(status(403, 'Forbidden'), { ...ctx, verb: 'watch' });
    lw.closeWatches(forbidden);
    await flushPromises();
    expect(failing.error).toBe(forbidden);
    const later = track(informer.waitFor(accept(lw, 'b')));
    await flushPromises();
    expect(later.error).toBe(forbidden);
    run.unsubscribe();
  });

  it('counts a relist after 410 as processing up to the list resourceVersion', async () => {
    const { lw, informer, advance, run } = await watching();
    // Written, then deleted, while the watch was stalled: the relist will not hold it.
    accept(lw, 'a');
    const wait = track(informer.waitFor(accept(lw, 'b')));
    lw.objects.delete('b');
    await advance(100);
    expect(wait.state).toBe('pending');
    lw.closeWatches(new ExpiredError(status(410, 'Expired'), ctx));
    await advance(10);
    expect(informer.health.relists).toBe(1);
    expect(informer.store.has('ns/b')).toBe(false);
    expect(wait.state).toBe('resolved');
    run.unsubscribe();
  });

  it('hands the waiter only list ends while nothing waits', async () => {
    const applied = vi.spyOn(WriteWaiter.prototype, 'applied');
    const { lw, informer, run } = await watching();
    for (const name of ['a', 'b', 'c']) lw.put(name);
    lw.bookmark();
    expect(applied.mock.calls.map(([event]) => event.type)).toEqual(['list-done']);
    const wait = track(informer.waitFor(accept(lw, 'd')));
    lw.put('e');
    await flushPromises();
    expect(applied.mock.calls.map(([event]) => event.type)).toEqual(['list-done', 'added']);
    expect(wait.state).toBe('resolved');
    run.unsubscribe();
  });

  it('rejects a write of another resource with a TypeError naming both', async () => {
    const { informer, run } = await watching();
    const Pods = { ...Things, plural: 'pods' };
    const write: Write = {
      resource: Pods,
      namespace: 'ns',
      name: 'a',
      uid: undefined,
      resourceVersion: '5',
      deleted: false,
      object: undefined,
    };
    const wait = track(informer.waitFor(write));
    await flushPromises();
    expect(wait.error).toBeInstanceOf(TypeError);
    expect((wait.error as Error).message).toBe(
      'waitFor: a write of pods (v1) cannot show in an informer of things (v1)',
    );
    run.unsubscribe();
  });
});
