import type { Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ctx, status, virtualInformer } from '../test/support/virtual-informer.js';
import { ConnectionError, ForbiddenError, ServerBusyError } from './index.js';

const setup = virtualInformer;

describe('SharedInformer (virtual time)', () => {
  it('lists from the watch cache, then watches from the list resourceVersion with bookmarks', () => {
    const { scheduler, lw, record, describeEvents } = setup();
    lw.putQuietly('a');
    lw.putQuietly('b');
    scheduler.run(() => {
      record();
    });
    expect(lw.listCalls).toHaveLength(1);
    expect(lw.listCalls[0]!.params).toEqual({ limit: 500, resourceVersion: '0' });
    expect(lw.watchCalls).toHaveLength(1);
    const watch = lw.watchCalls[0]!.params;
    expect(watch.resourceVersion).toBe(String(lw.rv));
    expect(watch.allowWatchBookmarks).toBe(true);
    expect(watch.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(watch.timeoutSeconds).toBeLessThan(600);
    expect(describeEvents()).toEqual(['ADDED a', 'ADDED b', 'SYNCED']);
  });

  it('backs off exponentially from 800 ms on consecutive list failures', () => {
    const { scheduler, lw, informer, record } = setup();
    const err = () => new ServerBusyError(status(500, 'InternalError'), ctx);
    lw.listFailures.push(err, err, err);
    const phases: string[] = [];
    scheduler.run(() => {
      informer.health$.subscribe((h) => phases.push(h.phase));
      record();
    });
    // random() = 0: delays are exactly 800, 1600, 3200; each list answers after 1 ms.
    expect(lw.listCalls.map((c) => c.at)).toEqual([0, 801, 2402, 5603]);
    expect(phases).toContain('backoff');
    expect(informer.health.phase).toBe('watching');
    expect(informer.health.attempt).toBe(0);
  });

  it('waits as long as Retry-After says on 429', () => {
    const { scheduler, lw, record } = setup();
    lw.listFailures.push(new ServerBusyError(status(429, 'TooManyRequests'), ctx, 5_000));
    scheduler.run(() => {
      record();
    });
    expect(lw.listCalls.map((c) => c.at)).toEqual([0, 5_001]);
  });

  it('resumes a dropped watch from the last resourceVersion, without relisting', () => {
    const { scheduler, lw, informer, record, at, describeEvents } = setup();
    scheduler.run(() => {
      record();
      at(10, () => lw.put('a'));
      at(20, () => lw.closeWatches(new ConnectionError('reset', 'ECONNRESET', ctx)));
    });
    expect(lw.listCalls).toHaveLength(1);
    // A first drop after a healthy stretch is answered at once, from where the watch got to.
    expect(lw.watchCalls.map((c) => [c.at, c.params.resourceVersion])).toEqual([
      [1, '1'],
      [20, lw.objects.get('a')!.metadata!.resourceVersion],
    ]);
    expect(informer.health.restarts).toBe(1);
    expect(describeEvents()).toEqual(['SYNCED', 'ADDED a']);
  });

  it('re-watches at once when the server ends a watch at its timeout', () => {
    const { scheduler, lw, record, at } = setup();
    scheduler.run(() => {
      record();
      at(5_000, () => lw.closeWatches());
    });
    expect(lw.watchCalls.map((c) => c.at)).toEqual([1, 5_000]);
  });

  it('re-watches at once after a first drop, backs off on a repeated one, and starts afresh once events flow', () => {
    const { scheduler, lw, informer, record, at } = setup();
    const drop = () => lw.closeWatches(new ConnectionError('reset', 'ECONNRESET', ctx));
    const attempts: number[] = [];
    scheduler.run(() => {
      record();
      at(10, drop); // first drop: at once
      at(900, drop); // again, with nothing delivered in between: 800 ms
      at(1_000, () => attempts.push(informer.health.attempt));
      at(5_000, () => lw.put('a')); // the watch works again
      at(5_001, () => attempts.push(informer.health.attempt));
      at(6_000, drop); // a first drop again: at once
      at(6_500, () => lw.put('b'));
      at(7_000, () => lw.closeWatches()); // a clean close (the server's timeout): at once
    });
    expect(lw.watchCalls.map((c) => c.at)).toEqual([1, 10, 1_700, 6_000, 7_000]);
    expect(lw.listCalls).toHaveLength(1);
    expect(attempts).toEqual([2, 0]);
  });

  it('backs off from the first failure of a kind that a retry at once would not cure (5xx)', () => {
    const { scheduler, lw, record, at } = setup();
    scheduler.run(() => {
      record();
      at(10, () => lw.closeWatches(new ServerBusyError(status(500, 'InternalError'), ctx)));
    });
    expect(lw.watchCalls.map((c) => c.at)).toEqual([1, 810]);
  });

  it('reconnects a watch that has been silent longer than the watchdog allows', () => {
    const { scheduler, lw, record, at, end } = setup({
      reflector: { watchList: 'never', watchdogMs: 10_000 },
    });
    scheduler.run(() => {
      record();
      at(6_000, () => lw.bookmark()); // a bookmark proves the watch alive
      end(20_000);
    });
    // Silent from 6 s: the watchdog fires at 16 s and, as for a first drop, watches again at once.
    expect(lw.watchCalls.map((c) => c.at)).toEqual([1, 16_000]);
    expect(lw.listCalls).toHaveLength(1);
  });

  it('relists on 410 with a consistent read and diffs the cache: changed, added, vanished', () => {
    const { scheduler, lw, informer, record, at, describeEvents } = setup();
    for (const name of ['a', 'b', 'c']) lw.putQuietly(name);
    scheduler.run(() => {
      record();
      at(100, () => {
        lw.removeQuietly('b');
        lw.putQuietly('c');
        lw.putQuietly('d');
        lw.emit({ type: 'ERROR', object: status(410, 'Expired') });
      });
    });
    expect(lw.listCalls.map((c) => c.params)).toEqual([{ limit: 500, resourceVersion: '0' }, { limit: 500 }]);
    expect(describeEvents()).toEqual([
      'ADDED a',
      'ADDED b',
      'ADDED c',
      'SYNCED',
      'MODIFIED c',
      'ADDED d',
      'DELETED b (unknown)',
    ]);
    expect([...informer.store.keys()].sort()).toEqual(['ns/a', 'ns/c', 'ns/d']);
    expect(informer.health.lastReason).toBe('410 Expired');
    expect(informer.health.relists).toBe(1);
  });

  it('surfaces a 403 as a typed error on the first attempt and stops', () => {
    const { scheduler, lw, informer } = setup();
    lw.listFailures.push(new ForbiddenError(status(403, 'Forbidden'), ctx));
    let error: unknown;
    scheduler.run(() => {
      informer.events$.subscribe({ error: (e) => (error = e) });
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(lw.listCalls).toHaveLength(1);
    expect(informer.health.phase).toBe('failed');
  });

  it('replays the cache to a late subscriber, then live events, each once and in order', () => {
    const { scheduler, lw, informer, at } = setup();
    lw.putQuietly('a');
    const late: string[] = [];
    scheduler.run(() => {
      informer.events$.subscribe();
      at(10, () => lw.put('b'));
      at(20, () =>
        informer.events$.subscribe((e) =>
          late.push(
            e.type === 'SYNCED'
              ? 'SYNCED'
              : `${e.type} ${e.object.metadata?.name}${e.type === 'ADDED' && e.initial ? ' initial' : ''}`,
          ),
        ),
      );
      at(30, () => lw.put('c'));
      at(40, () => lw.put('a'));
    });
    expect(late).toEqual(['ADDED a initial', 'ADDED b initial', 'SYNCED', 'ADDED c', 'MODIFIED a']);
  });

  it('re-delivers the cache as RESYNC on each subscriber’s own period', () => {
    const { scheduler, lw, informer, track, end } = setup();
    lw.putQuietly('a');
    lw.putQuietly('b');
    const resyncs: number[] = [];
    const plain: string[] = [];
    scheduler.run(() => {
      track(
        informer
          .events({ resyncPeriod: 1_000 })
          .subscribe((e) => e.type === 'RESYNC' && resyncs.push(scheduler.now())),
      );
      track(informer.events$.subscribe((e) => plain.push(e.type)));
      end(2_500);
    });
    expect(resyncs).toEqual([1_000, 1_000, 2_000, 2_000]);
    expect(plain).not.toContain('RESYNC');
  });

  it('keeps running for the linger period after the last subscriber, then closes the watch', () => {
    const { scheduler, lw, informer, at } = setup({ lingerMs: 5_000 });
    let first: Subscription | undefined;
    let second: Subscription | undefined;
    const open: number[] = [];
    scheduler.run(() => {
      first = informer.events$.subscribe();
      at(100, () => first!.unsubscribe());
      at(3_000, () => (second = informer.items$.subscribe()));
      at(4_000, () => second!.unsubscribe());
      at(8_999, () => open.push(lw.openWatches));
      at(9_001, () => open.push(lw.openWatches));
      at(10_000, () => informer.events$.subscribe());
    });
    expect(open).toEqual([1, 0]);
    expect(lw.listCalls.map((c) => c.at)).toEqual([0, 10_000]);
  });

  it('emits items$ once synced and then one snapshot per turn of changes', () => {
    const { scheduler, lw, informer, at } = setup();
    lw.putQuietly('a');
    const sizes: number[] = [];
    scheduler.run(() => {
      informer.items$.subscribe((items) => sizes.push(items.length));
      at(10, () => {
        lw.put('b');
        lw.put('c');
        lw.remove('a');
      });
    });
    expect(sizes).toEqual([1, 2]);
  });
});
