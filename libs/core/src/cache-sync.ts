import { combineLatest, filter, map, timer, type SchedulerLike, type Subscription } from 'rxjs';
import { RxInformerError } from './errors.js';
import type { InformerPhase } from './health.js';
import type { Informer } from './informer.js';
import type { KubeObject } from './resources/kube-object.js';
import { resourceName } from './resources/resource.js';

/**
 * An informer that had not synced when {@link CacheSyncError} was raised, and why, as far as its
 * health says.
 *
 * @example
 * ```ts
 * const line = (p: UnsyncedInformer) => `${p.resource} ${p.phase} ${p.lastError?.message ?? ''}`;
 * ```
 */
export interface UnsyncedInformer {
  /** `plural.group`, as `resourceName` spells it. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly phase: InformerPhase;
  /** The last error it retried, such as a `ConnectionError` to an unreachable server. */
  readonly lastError: Error | undefined;
}

/**
 * `waitForCacheSync` gave up before every informer synced: its `timeoutMs` passed
 * (`reason: 'timeout'`) or its signal aborted (`reason: 'aborted'`, the signal's reason as
 * `cause`). `pending` names each informer not yet synced with its phase and last error, so a
 * program can say why it cannot start ("cannot reach https://…", "403 forbidden") and exit.
 * Transient: the informers keep retrying; waiting again can succeed.
 *
 * @example
 * ```ts
 * try {
 *   await informers.waitForCacheSync([pods, nodes], { timeoutMs: 30_000 });
 * } catch (e) {
 *   if (e instanceof CacheSyncError) for (const p of e.pending) console.error(p.resource, p.lastError?.message);
 *   process.exit(1);
 * }
 * ```
 */
export class CacheSyncError extends RxInformerError {
  readonly reason: 'timeout' | 'aborted';
  readonly pending: readonly UnsyncedInformer[];
  constructor(
    reason: 'timeout' | 'aborted',
    pending: readonly UnsyncedInformer[],
    detail: { timeoutMs?: number; cause?: unknown },
  ) {
    const why = reason === 'timeout' ? `after ${detail.timeoutMs} ms` : 'before the wait was aborted';
    const list = pending.map(describe).join('; ');
    super(`${pending.length} of the informers had not synced ${why}: ${list}`, {
      transient: true,
      cause: detail.cause,
    });
    this.reason = reason;
    this.pending = pending;
  }
}

function describe(p: UnsyncedInformer): string {
  const scope = p.namespace ? ` in namespace "${p.namespace}"` : '';
  const error = p.lastError ? `, last error: ${p.lastError.message}` : '';
  return `${p.resource}${scope} (${p.phase}${error})`;
}

/** What `waitForCacheSync` accepts. */
export interface CacheSyncOptions {
  /** Aborting rejects with a {@link CacheSyncError} (`reason: 'aborted'`). */
  signal?: AbortSignal | undefined;
  /** Give up after this long with a {@link CacheSyncError} (`reason: 'timeout'`); default none. */
  timeoutMs?: number | undefined;
}

/**
 * Resolves once every informer has synced; rejects with the first fatal error, or with a
 * {@link CacheSyncError} on timeout (timed on `scheduler`) or abort. Holds the informers
 * running while it waits.
 */
export function waitForCacheSync(
  informers: readonly Informer<KubeObject>[],
  options: CacheSyncOptions,
  scheduler: SchedulerLike,
): Promise<void> {
  if (informers.length === 0) return Promise.resolve();
  const { signal, timeoutMs } = options;
  if (timeoutMs !== undefined && !(timeoutMs >= 0))
    return Promise.reject(new RangeError(`waitForCacheSync: timeoutMs must be 0 or more, not ${timeoutMs}`));
  const pending = () =>
    informers
      .filter((i) => !i.health.synced)
      .map((i) => ({
        resource: resourceName(i.resource),
        namespace: i.scope.namespace,
        phase: i.health.phase,
        lastError: i.health.lastError,
      }));
  if (signal?.aborted)
    return Promise.reject(new CacheSyncError('aborted', pending(), { cause: signal.reason }));
  return new Promise<void>((resolve, reject) => {
    const subscriptions: Subscription[] = [];
    let settled = false;
    const hold = (subscription: Subscription) => {
      if (settled)
        subscription.unsubscribe(); // settled while subscribing (already synced)
      else subscriptions.push(subscription);
    };
    const end = () => {
      settled = true;
      subscriptions.forEach((s) => s.unsubscribe());
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown) => {
      end();
      reject(error);
    };
    const onAbort = () => fail(new CacheSyncError('aborted', pending(), { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs))
      hold(
        timer(timeoutMs, scheduler).subscribe(() =>
          fail(new CacheSyncError('timeout', pending(), { timeoutMs })),
        ),
      );
    hold(
      combineLatest(informers.map((i) => i.synced$))
        .pipe(
          filter((states) => states.every(Boolean)),
          map(() => undefined),
        )
        .subscribe({
          next: () => {
            end();
            resolve();
          },
          error: fail,
        }),
    );
  });
}
