import { ConnectionError, type Informer, type InformerFactory, type KubeObject } from '@rxinformer/core';
import { filter, first, merge, type Subscription } from 'rxjs';

/**
 * Waits for informers' first sync, failing fast where a command-line app should: with the first
 * fatal error (401, 403, 404, bad selector), or with the {@link ConnectionError} of a first attempt
 * that could not reach the API server (an informer would retry it forever). The informers keep
 * running afterwards only if something else subscribed to them.
 *
 * @example
 * ```ts
 * pods.start();
 * await awaitSync(informers, [pods]).catch((e) => fail(explainError(e)));
 * ```
 */
export function awaitSync(
  factory: InformerFactory,
  informers: readonly Informer<KubeObject>[],
): Promise<void> {
  let unreachable: Subscription | undefined;
  const failed = new Promise<never>((_, reject) => {
    unreachable = merge(...informers.map((i) => i.health$))
      .pipe(
        filter((h) => !h.synced && h.phase === 'backoff' && h.lastError instanceof ConnectionError),
        first(),
      )
      .subscribe((h) => reject(h.lastError));
  });
  return Promise.race([factory.waitForCacheSync(informers), failed]).finally(() =>
    unreachable?.unsubscribe(),
  );
}
