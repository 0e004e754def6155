// What an informer's observers can rely on across a relist, a stop and a fatal error, in
// virtual time: a relist is seen whole, getters change nothing, `synced` is one promise per
// start, and `start()` reports how its run ended.
import { describe, expect, it } from 'vitest';
import {
  ExpiredError,
  ForbiddenError,
  InformerStoppedError,
  ServerBusyError,
  type InformerHealth,
  type Logger,
} from '../src/index.js';
import { ctx, status, virtualInformer } from './support/virtual-informer.js';

const expire = () => new ExpiredError(status(410, 'Expired'), ctx);

describe('a relist is observed whole (Init, InitApply, InitDone)', () => {
  it('store.list(), items$ and a late subscriber see the old cache until the paged relist completes, then the new one', () => {
    const { scheduler, lw, informer, at, end, track, cache } = setup({ pageSize: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) lw.put(name);
    const snapshots: string[][] = [];
    const lateReplays: string[][] = [];
    const views: string[][] = [];
    scheduler.run(() => {
      track(
        informer.items$.subscribe((items) =>
          snapshots.push(items.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort()),
        ),
      );
      at(100, () => {
        // Missed while the watch was stalled: a change, a deletion, a creation. Then 410.
        lw.putQuietly('a');
        lw.removeQuietly('b');
        lw.putQuietly('f');
        lw.closeWatches(expire());
      });
      // The relist's three pages arrive at 101, 102 and 103 ms: look in between, and after.
      for (const t of [101, 102, 104]) {
        at(t, () => views.push(cache()));
        at(t, () => {
          const seen: string[] = [];
          track(
            informer.events$.subscribe((e) => {
              if (e.type === 'ADDED' && e.initial)
                seen.push(`${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`);
            }),
          ).unsubscribe();
          lateReplays.push(seen.sort());
        });
      }
      end(1_000);
    });
    const before = ['a@2', 'b@3', 'c@4', 'd@5', 'e@6'];
    const after = ['a@7', 'c@4', 'd@5', 'e@6', 'f@8'];
    expect(views.slice(0, 2)).toEqual([before, before]);
    expect(lateReplays.slice(0, 2)).toEqual([before, before]);
    expect([views[2], lateReplays[2]]).toEqual([after, after]);
    expect(snapshots).toEqual([before, after]);
  });

  it('reports a relist’s changes in one block, after its last page, with the store already whole', () => {
    const { scheduler, lw, informer, at, end } = setup({ pageSize: 1 });
    for (const name of ['a', 'b', 'c']) lw.put(name);
    const versionsOfA: (string | undefined)[] = [];
    scheduler.run(() => {
      informer.events$.subscribe((e) => {
        // Whatever an event says, the store it reads is the relisted one already.
        if (e.type === 'MODIFIED') versionsOfA.push(informer.store.get('ns/a')?.metadata?.resourceVersion);
      });
      at(100, () => {
        lw.putQuietly('a'); // on the relist's first page
        lw.removeQuietly('c');
        lw.closeWatches(expire());
      });
      at(102, () => versionsOfA.push(informer.store.get('ns/a')?.metadata?.resourceVersion));
      end(1_000);
    });
    // Pages at 101 (a) and 102 (b); the relist is applied when the last page is in.
    expect(versionsOfA).toEqual(['2', '5']);
  });
});

describe('getters and promises', () => {
  it('reading health publishes nothing to health$ subscribers', () => {
    const { scheduler, lw, informer, at, end, track } = setup();
    lw.putQuietly('a');
    const published: InformerHealth[] = [];
    const read: InformerHealth[] = [];
    scheduler.run(() => {
      track(informer.events$.subscribe());
      track(informer.health$.subscribe((h) => published.push(h)));
      at(10, () => lw.put('b')); // an event: health changes, throttled to one publication a second
      at(20, () => {
        const count = published.length;
        for (let i = 0; i < 5; i++) read.push(informer.health);
        expect(published.length).toBe(count);
      });
      end(5_000);
    });
    expect(read[0]).toMatchObject({ phase: 'watching', size: 2, synced: true });
    expect(Object.isFrozen(read[0])).toBe(true);
  });

  it('synced is one promise per start: the same on every read, settled by that start', async () => {
    const { scheduler, lw, informer, at, end, track } = setup();
    lw.putQuietly('a');
    const reads: Promise<void>[] = [];
    scheduler.run(() => {
      track(informer.events$.subscribe());
      reads.push(informer.synced, informer.synced);
      at(50, () => reads.push(informer.synced));
      end(100);
    });
    expect(reads[0]).toBe(reads[1]);
    expect(reads[2]).toBe(reads[0]);
    await expect(reads[0]).resolves.toBeUndefined();
    // Stopped now: reading it again does not wait forever, it says why.
    await expect(informer.synced).rejects.toBeInstanceOf(InformerStoppedError);
    await expect(informer.synced).rejects.toThrow(/not running: subscribe .* or call start\(\)/);
  });

  it('synced rejects when the informer stops before it synced, and with the fatal error when it fails', async () => {
    const { scheduler, lw, informer, at } = setup();
    lw.listFailures.push(expire(), expire()); // two failed lists: backoff, not synced
    let stoppedEarly: Promise<void> | undefined;
    scheduler.run(() => {
      const s = informer.events$.subscribe();
      stoppedEarly = informer.synced;
      at(100, () => s.unsubscribe());
    });
    await expect(stoppedEarly).rejects.toThrow(/stopped before its cache synced/);
    lw.listFailures.push(new ForbiddenError(status(403, 'Forbidden'), ctx));
    let failed: Promise<void> | undefined;
    scheduler.run(() => {
      informer.events$.subscribe({ error: () => undefined });
      failed = informer.synced;
    });
    await expect(failed).rejects.toBeInstanceOf(ForbiddenError);
    // After the failure, `synced` keeps saying why until the informer starts again.
    await expect(informer.synced).rejects.toBeInstanceOf(ForbiddenError);
    expect(stoppedEarly).not.toBe(failed);
  });

  it('start() returns a hold whose done rejects with the fatal error, or resolves when released', async () => {
    const { scheduler, lw, informer, at } = setup();
    lw.listFailures.push(new ForbiddenError(status(403, 'Forbidden'), ctx));
    let failedRun: Promise<void> | undefined;
    scheduler.run(() => {
      failedRun = informer.start().done;
    });
    await expect(failedRun).rejects.toBeInstanceOf(ForbiddenError);
    let released: Promise<void> | undefined;
    scheduler.run(() => {
      const run = informer.start();
      released = run.done;
      at(10, () => run.unsubscribe());
    });
    await expect(released).resolves.toBeUndefined();
  });
});

describe('the core’s log lines', () => {
  it('name the resource once, in the informer’s child logger, not again in each line', () => {
    const lines: { bindings: object; fields: object; message: string }[] = [];
    const logger = (bindings: object): Logger => {
      const log =
        (level: string) =>
        (fields: object, message: string): void =>
          void lines.push({ bindings, fields: { ...fields, level }, message });
      return {
        trace: log('trace'),
        debug: log('debug'),
        info: log('info'),
        warn: log('warn'),
        error: log('error'),
        child: (more: object) => logger({ ...bindings, ...more }),
      } as Logger;
    };
    const { scheduler, lw, informer, at } = setup({ logger: logger({}) });
    lw.listFailures.push(new ServerBusyError(status(500, 'InternalError'), ctx), expire(), expire());
    scheduler.run(() => {
      const s = informer.events$.subscribe();
      at(10_000, () => s.unsubscribe());
    });
    const warned = lines.filter((l) => (l.fields as { level: string }).level === 'warn');
    expect(warned.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.bindings).toMatchObject({ resource: 'things' });
      expect(line.fields).not.toHaveProperty('resource');
    }
  });
});

function setup(options: { pageSize?: number; logger?: Logger } = {}) {
  return virtualInformer({
    reflector: { watchList: 'never', watchdogMs: 0, pageSize: options.pageSize ?? 500 },
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
