import { Observable, Subject, type SchedulerLike } from 'rxjs';
import type {
  KubeObject,
  ListPage,
  ListParams,
  ListerWatcher,
  WatchEvent,
  WatchParams,
} from '../../src/index.js';

/** A scripted failure for the next request of a kind. */
export type Failure = Error | (() => Error);

/**
 * An in-memory API for reflector tests in virtual time: a map of objects with a global
 * resourceVersion, list pages served after `latencyMs`, and watches the test drives.
 */
export class FakeListerWatcher<T extends KubeObject> implements ListerWatcher<T> {
  readonly objects = new Map<string, T>();
  readonly listCalls: { at: number; params: ListParams }[] = [];
  readonly watchCalls: { at: number; params: WatchParams }[] = [];
  readonly listFailures: Failure[] = [];
  readonly watchFailures: Failure[] = [];
  private watches: Subject<WatchEvent<T>>[] = [];
  /** Every change with its resourceVersion, replayed to a watch that resumes from an older one. */
  private readonly history: WatchEvent<T>[] = [];
  /** Replay history to a resuming watch, as the API server does (off by default). */
  replay = false;
  rv = 1;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly latencyMs = 1,
  ) {}

  put(name: string, extra: Partial<T> = {}): T {
    const object = { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv) }, ...extra } as T;
    const existed = this.objects.has(name);
    this.objects.set(name, object);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', object });
    return object;
  }

  remove(name: string): void {
    const object = this.objects.get(name);
    if (!object) return;
    this.objects.delete(name);
    const final = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } } as T;
    this.emit({ type: 'DELETED', object: final });
  }

  /** Changes the cache behind the API without telling open watches (as during an outage). */
  putQuietly(name: string): void {
    this.objects.set(name, { metadata: { name, namespace: 'ns', resourceVersion: String(++this.rv) } } as T);
  }

  removeQuietly(name: string): void {
    this.objects.delete(name);
  }

  emit(event: WatchEvent<T>): void {
    if (event.type !== 'BOOKMARK' && event.type !== 'ERROR') this.history.push(event);
    for (const watch of this.watches) watch.next(event);
  }

  bookmark(): void {
    this.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: String(this.rv) } } as T });
  }

  /** Ends every open watch: with an error, or cleanly as a server timeout does. */
  closeWatches(error?: Error): void {
    const open = this.watches;
    this.watches = [];
    for (const watch of open) {
      if (error) watch.error(error);
      else watch.complete();
    }
  }

  get openWatches(): number {
    return this.watches.length;
  }

  list(params: ListParams): Observable<ListPage<T>> {
    return new Observable<ListPage<T>>((subscriber) => {
      this.listCalls.push({ at: this.scheduler.now(), params });
      const failure = this.listFailures.shift();
      const task = this.scheduler.schedule(() => {
        if (failure) return subscriber.error(typeof failure === 'function' ? failure() : failure);
        // Pages of `limit` objects; the continue token is the offset of the next page.
        const all = [...this.objects.values()];
        const from = params.continue ? Number(params.continue) : 0;
        const to = params.limit ? from + params.limit : all.length;
        subscriber.next({
          items: all.slice(from, to),
          resourceVersion: String(this.rv),
          continue: to < all.length ? String(to) : undefined,
          remainingItemCount: undefined,
        });
        subscriber.complete();
      }, this.latencyMs);
      return () => task.unsubscribe();
    });
  }

  watch(params: WatchParams): Observable<WatchEvent<T>> {
    return new Observable<WatchEvent<T>>((subscriber) => {
      this.watchCalls.push({ at: this.scheduler.now(), params });
      const failure = this.watchFailures.shift();
      if (failure) {
        const task = this.scheduler.schedule(
          () => subscriber.error(typeof failure === 'function' ? failure() : failure),
          this.latencyMs,
        );
        return () => task.unsubscribe();
      }
      const subject = new Subject<WatchEvent<T>>();
      this.watches.push(subject);
      const subscription = subject.subscribe(subscriber);
      if (this.replay && params.resourceVersion !== undefined) {
        const from = Number(params.resourceVersion);
        for (const event of this.history) {
          if (subscriber.closed) break;
          if (event.type !== 'ERROR' && Number(event.object.metadata?.resourceVersion) > from)
            subscriber.next(event);
        }
      }
      return () => {
        subscription.unsubscribe();
        this.watches = this.watches.filter((w) => w !== subject);
      };
    });
  }
}
