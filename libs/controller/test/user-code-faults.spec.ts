// The corpus of faults in user code on a controller's path, each with the outcome it must
// have: a typed, reported error and retries, never a lost key, a stuck worker or a dead
// process. Virtual time: a fake informer pair and a VirtualTimeScheduler drive the controller.
import { ConfigMaps, Deployments, UserCodeError, type KubeObject } from '@rxinformer/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  controller,
  exponentialFailureRateLimiter,
  type Controller,
  type ControllerStatus,
  type ReconcileOutcome,
  type ReconcileRequest,
} from '@rxinformer/controller';
import { capturingLogger, entryText, type LogEntry } from './support/capturing-logger.js';
import { FakeInformer } from './support/fake-informer.js';
import { virtualClock } from './support/virtual-clock.js';

const SECRET = 'TOPSECRET-do-not-log';
const TIMEOUT_MS = 1000;
const object = (name: string) => ({
  metadata: { name, namespace: 'shop', annotations: { token: SECRET } },
});

type Reconcile = (request: ReconcileRequest<KubeObject>) => Promise<ReconcileOutcome | void> | void;

interface Fault {
  readonly fault: string;
  /** The reconcile of `shop/bad` on attempt `n` (0-based); `release` settles what hangs. */
  readonly reconcileBad?: (
    request: ReconcileRequest<KubeObject>,
    n: number,
    release: Promise<void>,
  ) => unknown;
  /** What the mapper of `watches[0]` returns for the Deployment `shop/d-bad` (default `['shop/a']`). */
  readonly mapBad?: (d: KubeObject) => unknown;
  readonly expected: {
    /** `status.lastError` at 1,400 ms. */
    readonly lastError: { site: string; objectKey: string; source: string; cause: RegExp };
    /** Counters of `status` at 1,400 ms. */
    readonly counts: Partial<ControllerStatus>;
    /** When each key was reconciled up to 1,400 ms. */
    readonly attempts: Record<string, number[]>;
    /** After the hung promise settles at 1,400 ms, when `shop/bad` was reconciled up to 3,000 ms. */
    readonly badAfterRelease?: number[];
    /** The abort reason of the first reconcile of `shop/bad`. */
    readonly abortedWith?: string;
  };
}

const hangOnce =
  (honourSignal: boolean) =>
  ({ signal }: ReconcileRequest<KubeObject>, n: number, release: Promise<void>) => {
    if (n > 0) return undefined;
    return new Promise<void>((resolve, reject) => {
      if (honourSignal) signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      void release.then(resolve);
    });
  };

const corpus: readonly Fault[] = [
  {
    fault: 'reconcile throws synchronously (a non-async function)',
    reconcileBad: () => {
      throw new Error('sync boom');
    },
    expected: {
      lastError: { site: 'reconcile', objectKey: 'shop/bad', source: 'corpus', cause: /sync boom/ },
      counts: { reconcileErrors: 4, reconcileTimeouts: 0, overdueReconciles: 0, mapperErrors: 0 },
      // 100 ms · 2ⁿ backoff; the other keys and the watch events are untouched.
      attempts: { 'shop/a': [0, 0], 'shop/bad': [0, 100, 300, 700], 'shop/c': [0, 0] },
    },
  },
  {
    fault: 'reconcile rejects',
    reconcileBad: () => Promise.reject(new Error('async boom')),
    expected: {
      lastError: { site: 'reconcile', objectKey: 'shop/bad', source: 'corpus', cause: /async boom/ },
      counts: { reconcileErrors: 4, reconcileTimeouts: 0, overdueReconciles: 0 },
      attempts: { 'shop/a': [0, 0], 'shop/bad': [0, 100, 300, 700], 'shop/c': [0, 0] },
    },
  },
  {
    fault: 'reconcile never settles and ignores its signal',
    reconcileBad: hangOnce(false),
    expected: {
      lastError: {
        site: 'reconcile',
        objectKey: 'shop/bad',
        source: 'corpus',
        cause: /did not settle within 1000 ms/,
      },
      counts: { reconcileErrors: 1, reconcileTimeouts: 1, overdueReconciles: 1 },
      // The worker is free at the timeout (concurrency 1: a and c waited for it); shop/bad
      // stays blocked while its promise hangs, and runs again as soon as it settles.
      attempts: { 'shop/a': [0, 1000], 'shop/bad': [0], 'shop/c': [1000] },
      badAfterRelease: [0, 1400],
      abortedWith: 'TimeoutError',
    },
  },
  {
    fault: 'reconcile hangs until its signal aborts',
    reconcileBad: hangOnce(true),
    expected: {
      lastError: { site: 'reconcile', objectKey: 'shop/bad', source: 'corpus', cause: /did not settle/ },
      counts: { reconcileErrors: 1, reconcileTimeouts: 1, overdueReconciles: 0 },
      attempts: { 'shop/a': [0, 1000], 'shop/bad': [0, 1100], 'shop/c': [1000] },
      abortedWith: 'TimeoutError',
    },
  },
  {
    fault: 'mapper throws',
    mapBad: () => {
      throw new Error('map boom');
    },
    expected: {
      lastError: {
        site: 'mapper',
        objectKey: 'shop/d-bad',
        source: 'watches[0] deployments.apps',
        cause: /map boom/,
      },
      counts: { mapperErrors: 1, reconcileErrors: 0 },
      // d-bad queues nothing; d-good's event still queues shop/c.
      attempts: { 'shop/a': [0], 'shop/bad': [0], 'shop/c': [0, 0] },
    },
  },
  ...(
    [
      ['undefined', () => undefined, /returned undefined, not an array/],
      ['a string instead of an array', () => 'shop/a', /returned a string, not an array/],
      ['a Promise (an async mapper)', async () => ['shop/a'], /returned a Promise, not an array/],
      ['a Set', () => new Set(['shop/a']), /returned a Set, not an array/],
      ['the object itself', (d: KubeObject) => d, /returned an object, not an array/],
    ] as const
  ).map(([what, mapBad, cause]): Fault => ({
    fault: `mapper returns ${what}`,
    mapBad,
    expected: {
      lastError: { site: 'mapper', objectKey: 'shop/d-bad', source: 'watches[0] deployments.apps', cause },
      counts: { mapperErrors: 1 },
      attempts: { 'shop/a': [0], 'shop/bad': [0], 'shop/c': [0, 0] },
    },
  })),
  {
    fault: 'mapper returns non-string and empty keys among valid ones',
    mapBad: (d) => ['shop/a', 42, '', null, d],
    expected: {
      lastError: {
        site: 'mapper',
        objectKey: 'shop/d-bad',
        source: 'watches[0] deployments.apps',
        cause: /\[1\] is a number, \[2\] is an empty string, \[3\] is null, 1 more/,
      },
      counts: { mapperErrors: 1 },
      // The valid key of the same answer is queued.
      attempts: { 'shop/a': [0, 0], 'shop/bad': [0], 'shop/c': [0, 0] },
    },
  },
];

let running: Controller | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function harness(fault: Fault) {
  const clock = virtualClock();
  const sites = new FakeInformer(ConfigMaps);
  const deployments = new FakeInformer(Deployments);
  for (const name of ['a', 'bad', 'c']) sites.put(object(name));
  const attempts: Record<string, number[]> = {};
  const signals: AbortSignal[] = [];
  const logs: LogEntry[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const reconcile: Reconcile = (request) => {
    const n = (attempts[request.key] ??= []).push(clock.now()) - 1;
    if (request.key !== 'shop/bad' || !fault.reconcileBad) return;
    signals.push(request.signal);
    return fault.reconcileBad(request, n, released) as Promise<void> | void;
  };
  const c = controller<KubeObject>({
    name: 'corpus',
    for: sites,
    watches: [
      {
        informer: deployments,
        map: (d) =>
          (d.metadata?.name === 'd-bad' ? (fault.mapBad ?? (() => ['shop/a']))(d) : ['shop/c']) as string[],
      },
    ],
    reconcile,
    concurrency: 1,
    reconcileTimeoutMs: TIMEOUT_MS,
    rateLimiter: exponentialFailureRateLimiter({ baseDelayMs: 100 }),
    scheduler: clock.scheduler,
    logger: capturingLogger(logs),
  });
  running = c;
  return { clock, sites, deployments, attempts, signals, logs, release, c };
}

describe('user-code faults on the controller path (corpus, virtual time)', () => {
  it.each(corpus)('$fault', async (fault) => {
    const { clock, sites, deployments, attempts, signals, logs, release, c } = harness(fault);
    const phases: string[] = [];
    c.status$.subscribe((s) => phases.at(-1) !== s.phase && phases.push(s.phase));
    let settled = false;
    c.done.then(
      () => (settled = true),
      () => (settled = true),
    );
    c.start();
    sites.sync();
    deployments.sync();
    await clock.advance(0);
    deployments.put(object('d-bad'));
    deployments.put(object('d-good'));
    await clock.advance(1400);

    const { expected } = fault;
    expect(attempts).toEqual(expected.attempts);
    const status = c.status;
    expect(status.phase).toBe('active');
    expect(status).toMatchObject(expected.counts);
    expect(status.lastError).toBeInstanceOf(UserCodeError);
    expect(status.lastError).toMatchObject({
      site: expected.lastError.site,
      objectKey: expected.lastError.objectKey,
      source: expected.lastError.source,
    });
    expect(String((status.lastError!.cause as Error | undefined)?.message)).toMatch(expected.lastError.cause);
    if (expected.abortedWith) {
      expect(signals[0]?.aborted).toBe(true);
      expect((signals[0]?.reason as Error).name).toBe(expected.abortedWith);
    }
    // Logged with the object's key, never with its content.
    const warned = logs.filter((l) => l.level === 'warn' && l.fields['key'] === expected.lastError.objectKey);
    expect(warned.length).toBeGreaterThan(0);
    for (const entry of logs) expect(entryText(entry)).not.toContain(SECRET);
    // The controller never failed, and never left `active` after it started.
    expect(phases).toEqual(['idle', 'waiting-for-sync', 'active']);
    expect(settled).toBe(false);

    if (expected.badAfterRelease) {
      release();
      await clock.advance(1600);
      expect(attempts['shop/bad']).toEqual(expected.badAfterRelease);
      expect(c.status.overdueReconciles).toBe(0);
    }
  });
});
