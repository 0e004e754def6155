// The corpus of user-code faults on the informer's cache path: each row is a piece of user code
// that throws (or returns garbage) on one object, with what a user can rely on then. Virtual time
// over a fake lister-watcher that, like the API server, replays history to a resuming watch.
import { config } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  UserCodeError,
  objectKey,
  type IndexFunc,
  type InformerHealth,
  type KubeObject,
  type Transform,
} from '../src/index.js';
import type { FakeListerWatcher } from './support/fake-lister-watcher.js';
import { virtualInformer } from './support/virtual-informer.js';

const SECRET = 'hunter2-do-not-log';

/** Throws for objects named `name` while `times` lasts (Infinity: always). */
function throwsOn(name: string, times = Number.POSITIVE_INFINITY) {
  const state = { left: times, calls: 0 };
  const fail = (object: KubeObject) => {
    if (object.metadata?.name !== name || state.left <= 0) return false;
    state.left--;
    state.calls++;
    return true;
  };
  return { state, fail };
}

function setup(options: {
  transform?: Transform;
  indexers?: Record<string, IndexFunc<KubeObject>>;
  pageSize?: number;
}) {
  const v = virtualInformer({
    indexers: options.indexers ?? {},
    prepare: options.transform ?? ((o) => o),
    reflector: { watchList: 'never', watchdogMs: 0, pageSize: options.pageSize ?? 500 },
  });
  v.lw.replay = true;
  const health: InformerHealth[] = [];
  const record = () => {
    v.record();
    v.track(v.informer.health$.subscribe((h) => health.push(h)));
  };
  const errors = () =>
    health.map((h) => h.lastError).filter((e): e is UserCodeError => e instanceof UserCodeError);
  return { ...v, events: v.describeEvents, health, record, errors, names: v.cache };
}

const put = (lw: FakeListerWatcher<KubeObject>, name: string) =>
  lw.put(name, { data: { password: SECRET } } as Partial<KubeObject>);

/** The typed error a user sees: it names the site and the key, never the object's content. */
function expectReported(error: UserCodeError | undefined, site: string, key: string, source?: string) {
  expect(error).toBeInstanceOf(UserCodeError);
  expect(error).toMatchObject({ site, objectKey: key, transient: true, ...(source ? { source } : {}) });
  expect(error!.message).toContain(key);
  expect(error!.message).not.toContain(SECRET);
}

describe('user code that throws on the cache path (corpus)', () => {
  it('a transform that throws during the first list: not synced, retried with backoff, then complete', () => {
    const bad = throwsOn('b', 2);
    const { scheduler, lw, informer, events, record, end, names, errors, health } = setup({
      transform: (o) => {
        if (bad.fail(o)) throw new TypeError('cannot read spec');
        return o;
      },
    });
    for (const name of ['a', 'b', 'c']) put(lw, name);
    let beforeRecovery: { synced: boolean; phase: string } | undefined;
    scheduler.run(({ flush }) => {
      record();
      scheduler.schedule(() => (beforeRecovery = { ...informer.health }), 1_000);
      end(10_000);
      flush();
    });
    expect(beforeRecovery).toMatchObject({ synced: false, phase: 'backoff' });
    expectReported(errors()[0], 'transform', 'ns/b', 'things');
    expect(errors()[0]!.cause).toBeInstanceOf(TypeError);
    expect(health.some((h) => h.synced && h.attempt > 0)).toBe(false);
    // Two failed lists (800 ms, then 1600 ms), then a complete one: every object, one SYNCED.
    expect(lw.listCalls.map((c) => c.at)).toEqual([0, 801, 2_402]);
    expect(events().filter((e) => e === 'SYNCED')).toHaveLength(1);
    expect(events().filter((e) => e.startsWith('DELETED'))).toEqual([]);
    expect(events().indexOf('SYNCED')).toBeGreaterThan(events().indexOf('ADDED b'));
    expect(names()).toEqual([]); // unsubscribed at the end: the cache is released
  });

  it('a transform that throws during a relist: the cache keeps its last good state, nothing is reported deleted', () => {
    const bad = throwsOn('c', 0);
    const { scheduler, lw, informer, events, record, at, end, errors } = setup({
      transform: (o) => {
        if (bad.fail(o)) throw new Error('boom');
        return o;
      },
      pageSize: 1,
    });
    for (const name of ['a', 'b', 'c']) put(lw, name);
    let during: string[] = [];
    let after: string[] = [];
    const cache = () =>
      informer.store
        .list()
        .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
        .sort();
    scheduler.run(() => {
      record();
      at(100, () => {
        // Changes the informer misses, then its resourceVersion expires: relist, page by page.
        lw.putQuietly('b');
        lw.putQuietly('c');
        bad.state.left = Number.POSITIVE_INFINITY;
        lw.emit({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
        });
      });
      at(5_000, () => (during = cache()));
      at(6_000, () => (bad.state.left = 0));
      at(20_000, () => (after = cache()));
      end(21_000);
    });
    // b's new version was listed before c failed, but the relist never completed: none of it shows.
    expect(during).toEqual(['a@2', 'b@3', 'c@4']);
    expectReported(errors()[0], 'transform', 'ns/c');
    const relisted = events().slice(events().indexOf('SYNCED') + 1);
    // Only the changes the informer missed, once a relist could complete; never a DELETED.
    expect(relisted).toEqual(['MODIFIED b', 'MODIFIED c']);
    expect(after).toEqual(['a@2', 'b@5', 'c@6']);
  });

  it('a transform that throws on a watch event: the event is retried from the resourceVersion before it, never lost', () => {
    const bad = throwsOn('b', 1);
    const { scheduler, lw, informer, events, record, at, end, errors } = setup({
      transform: (o) => {
        if (bad.fail(o)) throw new Error('boom');
        return o;
      },
    });
    put(lw, 'a');
    let between: string[] = [];
    scheduler.run(() => {
      record();
      at(10, () => {
        put(lw, 'b');
        put(lw, 'c');
      });
      at(20, () => (between = informer.store.keys().slice()));
      end(5_000);
    });
    expect(between).toEqual(['ns/a']);
    expectReported(errors()[0], 'transform', 'ns/b');
    expect(events()).toEqual(['ADDED a', 'SYNCED', 'ADDED b', 'ADDED c']);
    expect(lw.watchCalls.map((c) => c.at)).toEqual([1, 810]);
  });

  it('a transform that returns nothing is reported like one that throws', () => {
    const { scheduler, lw, informer, record, at, end, errors } = setup({
      transform: (o) => (o.metadata?.name === 'b' ? (undefined as unknown as KubeObject) : o),
    });
    put(lw, 'a');
    put(lw, 'b');
    scheduler.run(() => {
      record();
      at(100, () => expect(informer.health).toMatchObject({ phase: 'backoff', synced: false }));
      end(200);
    });
    expectReported(errors()[0], 'transform', 'ns/b');
    expect(String(errors()[0]!.cause)).toMatch(/must return the object/);
  });

  it('an index function that throws on a watch event: the store and every index stay as they were', () => {
    const bad = throwsOn('b', 1);
    const byZone: IndexFunc<KubeObject> = (o) => {
      if (bad.fail(o)) throw new RangeError('no zone');
      return [String(o.metadata?.labels?.zone ?? 'none')];
    };
    const { scheduler, lw, informer, events, record, at, end, errors } = setup({ indexers: { byZone } });
    put(lw, 'a');
    const seen: unknown[] = [];
    scheduler.run(() => {
      record();
      at(10, () => put(lw, 'b'));
      at(11, () =>
        seen.push(informer.store.keys().slice(), informer.store.byIndex('byZone', 'none').map(objectKey)),
      );
      end(5_000);
    });
    expect(seen).toEqual([['ns/a'], ['ns/a']]);
    expectReported(errors()[0], 'indexer', 'ns/b', 'byZone');
    expect(events()).toEqual(['ADDED a', 'SYNCED', 'ADDED b']);
    expect(informer.store.size).toBe(0); // released at the end
  });

  it('an index function that returns something other than strings is reported as a failure', () => {
    const { scheduler, lw, record, end, errors } = setup({
      indexers: { broken: (o) => (o.metadata?.name === 'a' ? ('zone-a' as unknown as string[]) : []) },
    });
    put(lw, 'a');
    scheduler.run(() => {
      record();
      end(100);
    });
    expectReported(errors()[0], 'indexer', 'ns/a', 'broken');
  });

  it('an index function added to a running informer that throws: addIndexers throws, no index is half built', () => {
    const { scheduler, lw, informer, record, at, end } = setup({});
    put(lw, 'a');
    put(lw, 'b');
    let thrown: unknown;
    scheduler.run(() => {
      record();
      at(10, () => {
        try {
          informer.addIndexers({
            byName: (o) => {
              if (o.metadata?.name === 'b') throw new Error('no');
              return [o.metadata!.name!];
            },
          });
        } catch (e) {
          thrown = e;
        }
        expect(() => informer.store.byIndex('byName', 'a')).toThrow(RangeError);
        expect(informer.store.byIndex('namespace', 'ns').map(objectKey)).toEqual(['ns/a', 'ns/b']);
      });
      end(20);
    });
    expectReported(thrown as UserCodeError, 'indexer', 'ns/b', 'byName');
  });

  describe('a subscriber that throws', () => {
    const original = config.onUnhandledError;
    afterEach(() => {
      config.onUnhandledError = original;
    });

    it('leaves the cache and every other subscriber as they were; RxJS reports the throw', () => {
      const reported: unknown[] = [];
      config.onUnhandledError = (e) => reported.push(e);
      const { scheduler, lw, informer, events, record, at, end } = setup({});
      put(lw, 'a');
      scheduler.run(() => {
        const thrower = informer.events$.subscribe(() => {
          throw new Error('subscriber bug');
        });
        record();
        at(10, () => put(lw, 'b'));
        at(20, () => put(lw, 'c'));
        at(30, () => {
          expect(informer.store.keys()).toEqual(['ns/a', 'ns/b', 'ns/c']);
          thrower.unsubscribe();
        });
        end(40);
      });
      expect(events()).toEqual(['ADDED a', 'SYNCED', 'ADDED b', 'ADDED c']);
      // RxJS reports a subscriber's throw asynchronously (by default it is rethrown, as in any
      // Node program): wait for those reports.
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          expect(reported.length).toBeGreaterThanOrEqual(3);
          expect(reported.every((e) => (e as Error).message === 'subscriber bug')).toBe(true);
          resolve();
        }, 10),
      );
    });
  });
});
