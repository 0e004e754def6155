// An informer the test drives by hand: put and remove objects, sync, fail. It keeps the
// contract of the core's informers that the controller relies on: a late events$ subscriber
// first gets the cache as ADDED{initial} (and SYNCED once synced); a fatal error reaches every
// observable's error, also for later subscribers; a shutdown completes them, also for later ones.
import { KubeConfig } from '@kubernetes/client-node';
import {
  KubeClient,
  objectKey,
  idleHealth,
  type Informer,
  type InformerEvent,
  type InformerHealth,
  type KubeObject,
  type ResourceDescriptor,
  type Store,
} from '@rxinformer/core';
import {
  BehaviorSubject,
  Observable,
  Subject,
  filter,
  firstValueFrom,
  map,
  of,
  type Subscription,
} from 'rxjs';

/** A kubeconfig for a server that is never called: the fake's reconciles do not write. */
function unusedKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:9', skipTLSVerify: false }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return kc;
}

export class FakeInformer<T extends KubeObject> implements Informer<T> {
  readonly scope = {};
  readonly client = new KubeClient(unusedKubeConfig());
  private readonly objects = new Map<string, T>();
  private readonly live = new Subject<InformerEvent<T>>();
  private readonly syncedState = new BehaviorSubject(false);
  private failure: Error | undefined;
  private ended = false;

  readonly store: Store<T>;

  constructor(readonly resource: ResourceDescriptor<T>) {
    const objects = this.objects;
    this.store = {
      get: (key) => objects.get(key),
      has: (key) => objects.has(key),
      list: () => [...objects.values()],
      keys: () => [...objects.keys()],
      byIndex: (name) => {
        throw new RangeError(`no index ${name}`);
      },
      indexValues: (name) => {
        throw new RangeError(`no index ${name}`);
      },
      get size() {
        return objects.size;
      },
    };
  }

  get events$(): Observable<InformerEvent<T>> {
    return this.events();
  }

  events(): Observable<InformerEvent<T>> {
    return new Observable<InformerEvent<T>>((subscriber) => {
      if (this.failure) return subscriber.error(this.failure);
      if (this.ended) return subscriber.complete();
      for (const object of this.objects.values()) subscriber.next({ type: 'ADDED', object, initial: true });
      if (this.syncedState.value)
        subscriber.next({ type: 'SYNCED', size: this.objects.size, resourceVersion: '1' });
      return this.live.subscribe(subscriber);
    });
  }

  get items$(): Observable<readonly T[]> {
    return this.syncedState.pipe(map(() => this.store.list()));
  }

  get synced$(): Observable<boolean> {
    return this.syncedState.asObservable();
  }

  get synced(): Promise<void> {
    return Promise.resolve();
  }

  get health$(): Observable<InformerHealth> {
    return of(this.health);
  }

  get health(): InformerHealth {
    return idleHealth;
  }

  /** Resolves once the test has called `sync()`. */
  waitForSync(): Promise<void> {
    return firstValueFrom(this.syncedState.pipe(filter(Boolean))).then(() => undefined);
  }

  /** The fake shows what the test puts: there is nothing to wait for. */
  waitFor(): Promise<void> {
    return Promise.resolve();
  }

  start(): Subscription & { readonly done: Promise<void> } {
    return Object.assign(this.live.subscribe(), { done: new Promise<void>(() => undefined) });
  }

  /** Adds or replaces an object (ADDED or MODIFIED). */
  put(object: T): void {
    const key = objectKey(object);
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    const synced = this.syncedState.value;
    this.live.next(
      previous ? { type: 'MODIFIED', object, previous } : { type: 'ADDED', object, initial: !synced },
    );
  }

  remove(key: string): void {
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    this.live.next({ type: 'DELETED', object, finalStateUnknown: false });
  }

  sync(): void {
    this.live.next({ type: 'SYNCED', size: this.objects.size, resourceVersion: '1' });
    this.syncedState.next(true);
  }

  /** A fatal error, as a 403 or a 404 of the API server ends an informer. */
  fail(error: Error): void {
    this.failure = error;
    this.live.error(error);
    this.syncedState.error(error);
  }

  /** The factory shut down: every observable completes. */
  complete(): void {
    this.ended = true;
    this.live.complete();
    this.syncedState.complete();
  }
}
