// No reconnect storms: during an outage an informer retries on its backoff schedule, after
// recovery it resumes with one request, and many informers spread their retries with jitter.
// Virtual time (TestScheduler) over a lister-watcher whose server is down for a window.
import { NEVER, Observable, type Subscriber, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@rxinformer/testing';
import {
  ConnectionError,
  ExpiredError,
  defineResource,
  silentLogger,
  type KubeObject,
  type ListPage,
  type ListParams,
  type ListerWatcher,
  type WatchEvent,
  type WatchParams,
} from '../../src/index.js';
import { SharedInformer } from '../../src/shared-informer.js';
import { unusedClient } from '../support/unused-client.js';

const Things = defineResource({
  group: '',
  version: 'v1',
  plural: 'things',
  kind: 'Thing',
  namespaced: true,
});
const ctx = { verb: 'watch' as const, resource: 'things' };

interface Request {
  readonly at: number;
  readonly verb: 'list' | 'watch';
  readonly params: ListParams | WatchParams;
  ok: boolean;
}

/** A server that is down (connection refused) from `downFrom` until `downUntil`. */
class OutageListerWatcher implements ListerWatcher<KubeObject> {
  readonly requests: Request[] = [];
  private readonly watches = new Set<Subscriber<WatchEvent<KubeObject>>>();
  downFrom = Number.POSITIVE_INFINITY;
  downUntil = Number.POSITIVE_INFINITY;
  /** Answer the next watch after the outage with 410 (history compacted while down). */
  expireAfterOutage = false;

  constructor(private readonly scheduler: TestScheduler) {}

  private down(): boolean {
    const now = this.scheduler.now();
    return now >= this.downFrom && now < this.downUntil;
  }

  /** The outage starts now: open watches break. */
  fail(forMs: number): void {
    this.downFrom = this.scheduler.now();
    this.downUntil = this.downFrom + forMs;
    for (const watch of [...this.watches])
      watch.error(new ConnectionError('socket hang up', 'ECONNRESET', ctx));
    this.watches.clear();
  }

  list(params: ListParams): Observable<ListPage<KubeObject>> {
    return new Observable((subscriber) => {
      const request: Request = { at: this.scheduler.now(), verb: 'list', params, ok: !this.down() };
      this.requests.push(request);
      const task = this.scheduler.schedule(() => {
        if (!request.ok)
          return subscriber.error(new ConnectionError('connect ECONNREFUSED', 'ECONNREFUSED', ctx));
        subscriber.next({
          items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } }],
          resourceVersion: '10',
          continue: undefined,
          remainingItemCount: undefined,
        });
        subscriber.complete();
      }, 1);
      return () => task.unsubscribe();
    });
  }

  watch(params: WatchParams): Observable<WatchEvent<KubeObject>> {
    return new Observable((subscriber) => {
      const request: Request = { at: this.scheduler.now(), verb: 'watch', params, ok: !this.down() };
      this.requests.push(request);
      const task = this.scheduler.schedule(() => {
        if (!request.ok)
          return subscriber.error(new ConnectionError('connect ECONNREFUSED', 'ECONNREFUSED', ctx));
        if (this.expireAfterOutage && request.at >= this.downUntil) {
          this.expireAfterOutage = false;
          request.ok = false;
          return subscriber.error(
            new ExpiredError(
              { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' },
              ctx,
            ),
          );
        }
        this.watches.add(subscriber);
      }, 1);
      return () => {
        task.unsubscribe();
        this.watches.delete(subscriber);
      };
    });
  }
}

function informerOver(lw: ListerWatcher<KubeObject>, scheduler: TestScheduler, random: () => number) {
  return new SharedInformer<KubeObject>({
    resource: Things,
    scope: {},
    indexers: {},
    listerWatcher: lw,
    scheduler,
    random,
    logger: silentLogger,
    resyncPeriod: 0,
    lingerMs: 0,
    prepare: (o) => o,
    reflector: { watchList: 'never', watchdogMs: 0 },
    shutdown: NEVER,
    client: unusedClient(),
  });
}

const OUTAGE_AT = 10_000;
const OUTAGE_MS = 60_000;
const RECOVERED_AT = OUTAGE_AT + OUTAGE_MS;
const END = RECOVERED_AT + 120_000;

/** Runs one informer through a 60 s outage in virtual time; returns its requests. */
function outage(options: { random: () => number; expire?: boolean }): Request[] {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const lw = new OutageListerWatcher(scheduler);
  lw.expireAfterOutage = options.expire ?? false;
  const informer = informerOver(lw, scheduler, options.random);
  scheduler.run(() => {
    const running: Subscription = informer.start();
    scheduler.schedule(() => lw.fail(OUTAGE_MS), OUTAGE_AT);
    scheduler.schedule(() => running.unsubscribe(), END);
  });
  return lw.requests;
}

describe('no reconnect storms (virtual time, default backoff 800 ms .. 30 s, factor 2, jitter 1)', () => {
  it('retries during a 60 s outage no faster than the backoff schedule allows', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999, seededRandom(7).next]) {
      const requests = outage({ random });
      const [immediate, ...during] = requests.filter((r) => r.at >= OUTAGE_AT && r.at < RECOVERED_AT);
      expect([immediate, ...during].every((r) => !r!.ok)).toBe(true);
      // The drop of a healthy watch is answered at once, with one WATCH; only when that fails too
      // does the backoff start.
      expect(immediate).toMatchObject({ at: OUTAGE_AT, verb: 'watch' });
      // Gap k (k = 0 after the first refused retry) is initial × 2^k × (1 + jitter × r), capped at
      // 30 s, plus 1 ms of latency.
      let previous = OUTAGE_AT + 1; // each refused attempt fails 1 ms after it is sent
      during.forEach((request, k) => {
        const base = 800 * 2 ** k;
        expect(request.at - previous).toBeGreaterThanOrEqual(Math.min(30_000, base));
        expect(request.at - previous).toBeLessThanOrEqual(Math.min(30_000, 2 * base) + 1);
        previous = request.at + 1;
      });
      // Even the fastest schedule (r = 0: 0.8, 1.6, 3.2, 6.4, 12.8, 25.6 s, ...) fits 6 attempts in 60 s.
      expect(during.length).toBeLessThanOrEqual(6);
      expect(during.length).toBeGreaterThanOrEqual(3);
      console.info(
        `outage of 60 s: 1 + ${during.length} requests (${during.map((r) => r.at - OUTAGE_AT).join(', ')} ms after the drop)`,
      );
    }
  });

  it('resumes after the outage with one WATCH from the last resourceVersion, not a burst', () => {
    const requests = outage({ random: () => 0.5 });
    const after = requests.filter((r) => r.at >= RECOVERED_AT);
    expect(after.map((r) => `${r.verb} ${r.ok}`)).toEqual(['watch true']);
    expect((after[0]!.params as WatchParams).resourceVersion).toBe('10');
    // The pending retry fires within one capped backoff (30 s) of the recovery.
    expect(after[0]!.at - RECOVERED_AT).toBeLessThanOrEqual(30_001);
  });

  it('after an outage that outlived the history, relists once and watches once', () => {
    const requests = outage({ random: () => 0.5, expire: true });
    const after = requests.filter((r) => r.at >= RECOVERED_AT);
    expect(after.map((r) => r.verb)).toEqual(['watch', 'list', 'watch']);
    expect(after[1]!.params).toEqual({ limit: 500 }); // a consistent read after 410, not resourceVersion=0
  });

  function firstRetries(randomFor: (i: number) => () => number): number[] {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const servers = Array.from({ length: 100 }, () => new OutageListerWatcher(scheduler));
    const informers = servers.map((lw, i) => informerOver(lw, scheduler, randomFor(i)));
    scheduler.run(() => {
      const running = informers.map((i) => i.start());
      scheduler.schedule(() => servers.forEach((lw) => lw.fail(OUTAGE_MS)), OUTAGE_AT);
      scheduler.schedule(() => running.forEach((s) => s.unsubscribe()), OUTAGE_AT + 5_000);
    });
    // Each informer answers the drop at once with exactly one WATCH; what must be spread is
    // what follows when that one is refused too.
    for (const lw of servers) {
      const atDrop = lw.requests.filter((r) => r.at >= OUTAGE_AT && r.at < OUTAGE_AT + 800);
      expect(atDrop.map((r) => `${r.at - OUTAGE_AT} ${r.verb}`)).toEqual(['0 watch']);
    }
    return servers.map((lw) => lw.requests.filter((r) => r.at >= OUTAGE_AT)[1]!.at - OUTAGE_AT);
  }

  const spread = (times: number[]) => ({
    min: Math.min(...times),
    max: Math.max(...times),
    distinct: new Set(times).size,
    largestSameMs: Math.max(
      ...[...times.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<number, number>()).values()],
    ),
  });

  it('spreads the first retries of 100 informers dropped at once (Math.random and a shared seeded random)', () => {
    const shared = seededRandom(2024).next;
    for (const [name, times] of [
      ['Math.random', firstRetries(() => Math.random)],
      ['seededRandom shared', firstRetries(() => shared)],
    ] as const) {
      const s = spread(times);
      console.info(
        `first retry of 100 informers with ${name}: ${s.min}..${s.max} ms, ${s.distinct} distinct, at most ${s.largestSameMs} in one ms`,
      );
      // Jitter 1 spreads the first backed-off retry over 800..1600 ms after the refused
      // immediate one (which fails 1 ms after the drop).
      expect(s.min).toBeGreaterThanOrEqual(801);
      expect(s.max).toBeLessThanOrEqual(1601);
      expect(s.max - s.min).toBeGreaterThan(400);
      expect(s.largestSameMs).toBeLessThanOrEqual(5);
    }
  });

  it('synchronises retries when every informer gets its own random with the same seed (one factory per informer, same seed)', () => {
    const s = spread(firstRetries(() => seededRandom(2024).next));
    console.info(
      `first retry of 100 informers, each seededRandom(2024): ${s.min}..${s.max} ms, ${s.distinct} distinct`,
    );
    // Documented hazard, not a library bug: a fixed seed in every process makes a herd.
    expect(s.distinct).toBe(1);
  });
});
