import type { KubeConfig, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { consumeWith } from '@rxinformer/batching';
import {
  ConfigMaps,
  createInformerFactory,
  Secrets,
  type Informer,
  type InformerFactory,
  type KubeObject,
  type Wire,
} from '@rxinformer/core';
import {
  asyncScheduler,
  combineLatest,
  debounceTime,
  distinctUntilChanged,
  filter,
  map,
  Observable,
  of,
  share,
  type SchedulerLike,
} from 'rxjs';
import { configState, type ConfigState } from './config-state.js';
import { reloader, type ReloadActions, type ReloadResult } from './reload-actions.js';

/**
 * Options of {@link watchConfig}.
 *
 * @example
 * ```ts
 * const options: ConfigReloaderOptions = { kubeConfig: kc, namespace: 'shop', configMap: 'web-config', debounceMs: 1000, actions: { dir: '/etc/web' } };
 * ```
 */
export interface ConfigReloaderOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly configMap: string;
  readonly secret?: string | undefined;
  /** Reload once the configuration has not changed for this long (ms). */
  readonly debounceMs: number;
  readonly actions: ReloadActions;
  readonly scheduler?: SchedulerLike;
}

/**
 * Which of the watched objects exist.
 *
 * @example
 * ```ts
 * declare const presence$: Observable<Presence>;
 * presence$.pipe(filter((p) => !p.configMap)).subscribe(() => logger.warn({}, 'the ConfigMap is gone'));
 * ```
 */
export interface Presence {
  readonly configMap: boolean;
  /** `undefined` when no Secret is watched. */
  readonly secret: boolean | undefined;
}

/**
 * A running config watch.
 *
 * @example
 * ```ts
 * const watch = watchConfig({ kubeConfig: kc, namespace: 'shop', configMap: 'web-config', debounceMs: 1000, actions: { dir: '/etc/web' } });
 * watch.results$.subscribe((r) => console.log(r.version, r.ok));
 * ```
 */
export interface ConfigWatch {
  readonly factory: InformerFactory;
  readonly informers: readonly Informer<KubeObject>[];
  /** Whether the objects exist: after the first sync, then on each change. */
  readonly presence$: Observable<Presence>;
  /** One result per reload: the first once the objects exist, then one per settled change. */
  readonly results$: Observable<ReloadResult>;
  close(): void;
}

const first = <T extends KubeObject>(informer: Informer<T>): Observable<T | undefined> =>
  informer.items$.pipe(map((items) => items[0]));

/**
 * Watches one ConfigMap (and optionally one Secret) with informers narrowed by a field selector on
 * the name, and reloads the configuration when its content changes: changes are debounced
 * (`debounceTime`), a new configuration waits while a reload runs and only the latest one waits
 * (`consumeWith`, one slot, drop-oldest), a change of metadata only is no change, and nothing is
 * reloaded while an object is missing (the last files stay).
 *
 * @example
 * ```ts
 * const watch = watchConfig({ kubeConfig: kc, namespace: 'shop', configMap: 'web', debounceMs: 1000, actions: { dir: '/etc/web', pid: 1 } });
 * watch.results$.subscribe((result) => logger.info({ ...result }, 'reloaded'));
 * ```
 */
export function watchConfig(options: ConfigReloaderOptions): ConfigWatch {
  const scheduler = options.scheduler ?? asyncScheduler;
  const factory = createInformerFactory({ kubeConfig: options.kubeConfig, scheduler });
  const byName = (name: string) => ({ namespace: options.namespace, fieldSelector: `metadata.name=${name}` });
  const configMaps = factory.informer(ConfigMaps, byName(options.configMap));
  const secrets =
    options.secret === undefined ? undefined : factory.informer(Secrets, byName(options.secret));
  const objects$ = combineLatest([
    first<Wire<V1ConfigMap>>(configMaps),
    secrets ? first<Wire<V1Secret>>(secrets) : of(undefined),
  ]).pipe(share());
  const presence$ = objects$.pipe(
    map(([cm, secret]): Presence => ({
      configMap: cm !== undefined,
      secret: secrets ? secret !== undefined : undefined,
    })),
    distinctUntilChanged((a, b) => a.configMap === b.configMap && a.secret === b.secret),
  );
  const reload = reloader(options.actions);
  const results$ = new Observable<ReloadResult>((subscriber) =>
    objects$
      .pipe(
        filter(([cm, secret]) => cm !== undefined && (secrets === undefined || secret !== undefined)),
        map(([cm, secret]): ConfigState => configState(cm, secret)),
        distinctUntilChanged((a, b) => a.version === b.version),
        debounceTime(options.debounceMs, scheduler),
        consumeWith(async (state: ConfigState) => subscriber.next(await reload(state)), {
          queueSize: 1,
          overflow: 'drop-oldest',
        }),
      )
      .subscribe({ error: (error: unknown) => subscriber.error(error) }),
  ).pipe(share());
  const informers = [configMaps, ...(secrets ? [secrets] : [])] as unknown as Informer<KubeObject>[];
  return { factory, informers, presence$, results$, close: () => factory.shutdown() };
}
