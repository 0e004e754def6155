import type { SchedulerLike, Subscription } from 'rxjs';
import { Backoff, type BackoffOptions } from './backoff.js';
import {
  ConnectionError,
  DecodeError,
  ExpiredError,
  InvalidRequestError,
  KubeApiError,
  RxInformerError,
  ServerBusyError,
  apiErrorFor,
  type KubeStatus,
  type RequestContext,
} from './errors.js';
import type { HealthTracker } from './health-tracker.js';
import type { Logger } from './logger.js';
import type { ReflectorEvent } from './reflector-events.js';
import type { KubeObject } from './resources/kube-object.js';
import type { ListPage, ListerWatcher, WatchEvent } from './transport/types.js';

const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/**
 * How a reflector lists and watches.
 *
 * @example
 * ```ts
 * createInformerFactory({ kubeConfig: kc, reflector: { pageSize: 1000, watchList: 'never', watchdogMs: 300_000 } });
 * ```
 */
export interface ReflectorOptions {
  /** Objects per LIST page (default 500). */
  pageSize?: number;
  /**
   * Streaming list (`sendInitialEvents`): `'auto'` tries it and falls back to LIST when the
   * server refuses it (the default), `'never'` always LISTs, `'always'` never falls back.
   */
  watchList?: 'auto' | 'always' | 'never';
  backoff?: BackoffOptions;
  /** The range `timeoutSeconds` is drawn from for each WATCH (default 300..600 s). */
  watchTimeoutSeconds?: readonly [number, number];
  /** Reconnect a watch that sent nothing, not even a bookmark, for this long (default 150 s; 0 = off). */
  watchdogMs?: number;
}

/** What a reflector needs besides its options; the informer provides it. */
export interface ReflectorDeps<T extends KubeObject> {
  readonly listerWatcher: ListerWatcher<T>;
  readonly context: RequestContext;
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
  readonly health: HealthTracker;
  readonly logger: Logger;
  /** Receives the list phase and the watch's changes, in order. */
  readonly sink: (event: ReflectorEvent<T>) => void;
  /** Called once with an error retrying cannot fix; the reflector has stopped. */
  readonly fatal: (error: Error) => void;
}

/**
 * The list-then-watch state machine (client-go's Reflector, kube-rs's watcher): LIST (paginated,
 * or streamed with WatchList), then WATCH from the last resourceVersion with bookmarks; resume
 * after a drop without relisting; relist on 410; back off with jitter on transient errors and
 * honour Retry-After; reconnect a silent watch. It never stops on a transient error.
 */
export class Reflector<T extends KubeObject> {
  private readonly pageSize: number;
  private readonly timeoutRange: readonly [number, number];
  private readonly watchdogMs: number;
  private readonly backoff: Backoff;
  private watchList: boolean;
  private readonly watchListFallback: boolean;
  private resourceVersion: string | undefined;
  private consistentList = false;
  private listedOnce = false;
  private connected = false;
  private failures = 0;
  private streamingInitial = false;
  private request: Subscription | undefined;
  private timer: Subscription | undefined;
  private watchdog: Subscription | undefined;
  private lastActivity = 0;
  private watchStartedAt = 0;
  private watchEvents = 0;
  private stopped = true;
  private readonly watchContext: RequestContext;

  constructor(
    private readonly deps: ReflectorDeps<T>,
    options: ReflectorOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.timeoutRange = options.watchTimeoutSeconds ?? [300, 600];
    this.watchdogMs = options.watchdogMs ?? 150_000;
    this.watchList = (options.watchList ?? 'auto') !== 'never';
    this.watchListFallback = (options.watchList ?? 'auto') === 'auto';
    this.backoff = new Backoff(options.backoff ?? {}, () => deps.scheduler.now(), deps.random);
    this.watchContext = { ...deps.context, verb: 'watch' };
  }

  start(): void {
    this.stopped = false;
    this.list();
  }

  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private list(): void {
    const relist = this.listedOnce;
    const relists = this.deps.health.current.relists + (relist ? 1 : 0);
    this.deps.health.update({ phase: relist ? 'relisting' : 'listing', retryAt: undefined, relists });
    this.deps.sink({ type: 'list-start', relist });
    if (this.watchList) this.streamList();
    else this.listPage(undefined);
  }

  private listPage(token: string | undefined): void {
    const params = token
      ? { limit: this.pageSize, continue: token }
      : { limit: this.pageSize, ...(this.consistentList ? {} : { resourceVersion: '0' }) };
    let last: ListPage<T> | undefined;
    this.track(
      this.deps.listerWatcher.list(params).subscribe({
        next: (page) => {
          this.connected = true;
          last = page;
          for (const object of page.items) {
            if (this.stopped) return;
            if (!hasName(object))
              return this.fail(
                new DecodeError(
                  'a listed object has no metadata.name',
                  JSON.stringify(object),
                  this.deps.context,
                ),
              );
            this.deps.sink({ type: 'list-item', object });
          }
        },
        error: (error: unknown) => this.fail(error),
        complete: () => {
          if (this.stopped || !last) return;
          if (last.continue) return this.listPage(last.continue);
          this.listed(last.resourceVersion);
          this.watch();
        },
      }),
    );
  }

  private streamList(): void {
    this.streamingInitial = true;
    this.openWatch({
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      ...(this.consistentList || !this.resourceVersion ? {} : { resourceVersion: this.resourceVersion }),
    });
  }

  private listed(resourceVersion: string): void {
    this.resourceVersion = resourceVersion;
    this.consistentList = false;
    this.listedOnce = true;
    this.succeeded();
    this.deps.sink({ type: 'list-done', resourceVersion });
    this.deps.health.update({ phase: 'watching', resourceVersion });
  }

  private watch(): void {
    this.deps.health.update({ phase: 'watching', retryAt: undefined });
    this.openWatch(this.resourceVersion === undefined ? {} : { resourceVersion: this.resourceVersion });
  }

  private openWatch(extra: {
    resourceVersion?: string;
    sendInitialEvents?: boolean;
    resourceVersionMatch?: 'NotOlderThan';
  }): void {
    const [min, max] = this.timeoutRange;
    const timeoutSeconds = Math.floor(min + this.deps.random() * (max - min));
    this.watchStartedAt = this.lastActivity = this.deps.scheduler.now();
    this.watchEvents = 0;
    this.track(
      this.deps.listerWatcher.watch({ ...extra, timeoutSeconds, allowWatchBookmarks: true }).subscribe({
        next: (event) => this.onWatchEvent(event),
        error: (error: unknown) => this.fail(error),
        complete: () => this.onWatchClosed(),
      }),
    );
    this.armWatchdog(this.watchdogMs);
  }

  private onWatchEvent(event: WatchEvent<T>): void {
    if (this.stopped) return;
    this.lastActivity = this.deps.scheduler.now();
    this.watchEvents++;
    this.connected = true;
    if (event.type === 'ERROR') return this.fail(apiErrorFor(asStatus(event.object), this.watchContext));
    const object = event.object;
    const resourceVersion = object.metadata?.resourceVersion;
    if (typeof resourceVersion !== 'string') {
      return this.fail(
        new DecodeError(
          `${eventName(event.type)} has no metadata.resourceVersion`,
          JSON.stringify(object),
          this.watchContext,
        ),
      );
    }
    if (event.type === 'BOOKMARK') {
      this.deps.health.touch({ lastBookmarkAt: this.lastActivity, resourceVersion });
      if (this.streamingInitial) {
        if (object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true') {
          this.streamingInitial = false;
          this.listed(resourceVersion);
        }
        return;
      }
      this.resourceVersion = resourceVersion;
      return;
    }
    if (!hasName(object))
      return this.fail(
        new DecodeError(
          `${eventName(event.type)}'s object has no metadata.name`,
          JSON.stringify(object),
          this.watchContext,
        ),
      );
    if (this.streamingInitial) {
      if (event.type === 'ADDED') return this.deps.sink({ type: 'list-item', object });
      // A server that ignores sendInitialEvents streams ordinary changes: list instead.
      return this.unsupportedWatchList(`${event.type} before the end of the initial events`);
    }
    if (this.failures > 0) this.succeeded();
    this.resourceVersion = resourceVersion;
    this.deps.health.touch({ lastEventAt: this.lastActivity, resourceVersion });
    this.deps.sink({
      type: event.type === 'ADDED' ? 'added' : event.type === 'MODIFIED' ? 'modified' : 'deleted',
      object,
    });
  }

  private onWatchClosed(): void {
    if (this.stopped) return;
    this.cancel();
    const quick = this.deps.scheduler.now() - this.watchStartedAt < 1000 && this.watchEvents === 0;
    if (quick) {
      return this.fail(
        new ConnectionError('the server closed the watch at once', 'EWATCHCLOSED', this.watchContext),
      );
    }
    this.restarted('watch closed');
    if (this.streamingInitial) this.list();
    else this.watch();
  }

  private unsupportedWatchList(why: string): void {
    this.cancel();
    if (!this.watchListFallback) {
      return this.fail(
        new DecodeError(`the server does not support streaming lists (${why})`, '', this.watchContext),
      );
    }
    this.deps.logger.info(
      { resource: this.deps.context.resource, reason: why },
      'streaming list unsupported, falling back to LIST',
    );
    this.watchList = false;
    this.streamingInitial = false;
    this.list();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.cancel();
    const err = error instanceof Error ? error : new Error(String(error));
    if (this.streamingInitial && this.watchListFallback && err instanceof InvalidRequestError) {
      return this.unsupportedWatchList(err.message);
    }
    const transient =
      err instanceof RxInformerError &&
      err.transient &&
      !(err instanceof ConnectionError && err.tls && !this.connected);
    if (!transient) {
      this.stopped = true;
      this.deps.health.update({ phase: 'failed', lastError: err, retryAt: undefined });
      this.deps.logger.error({ resource: this.deps.context.resource, err: err.message }, 'informer failed');
      this.deps.fatal(err);
      return;
    }
    const expired = err instanceof ExpiredError;
    const inList = this.streamingInitial || !this.listedOnce || expired;
    if (expired) {
      this.consistentList = true;
      this.streamingInitial = false;
    }
    const reason =
      err instanceof KubeApiError
        ? `${err.code} ${err.reason}`
        : err instanceof ConnectionError
          ? err.code
          : err.name;
    this.deps.health.update({ lastError: err, lastReason: reason });
    // A 410 after a healthy stretch is routine (compaction): relist at once. Anything else backs off.
    if (expired && this.failures === 0) {
      this.failures++;
      this.deps.logger.info({ resource: this.deps.context.resource }, 'resourceVersion expired, relisting');
      return this.list();
    }
    this.failures++;
    const delay = this.backoff.next(err instanceof ServerBusyError ? err.retryAfterMs : undefined);
    const retryAt = this.deps.scheduler.now() + delay;
    this.deps.health.update({ phase: 'backoff', attempt: this.failures, retryAt });
    this.deps.logger.warn(
      { resource: this.deps.context.resource, err: err.message, delayMs: delay, attempt: this.failures },
      'retrying after backoff',
    );
    this.timer = this.deps.scheduler.schedule(() => {
      this.timer = undefined;
      if (this.stopped) return;
      if (inList) return this.list();
      this.restarted(reason);
      this.watch();
    }, delay);
  }

  private restarted(reason: string): void {
    const restarts = this.deps.health.current.restarts + 1;
    this.deps.health.update({ restarts, lastReason: reason });
  }

  private succeeded(): void {
    this.failures = 0;
    this.deps.health.update({ attempt: 0 });
  }

  private armWatchdog(afterMs: number): void {
    if (this.watchdogMs <= 0) return;
    this.watchdog = this.deps.scheduler.schedule(() => {
      this.watchdog = undefined;
      if (this.stopped || !this.request) return;
      const idle = this.deps.scheduler.now() - this.lastActivity;
      if (idle < this.watchdogMs) return this.armWatchdog(this.watchdogMs - idle);
      this.fail(
        new ConnectionError(
          `the watch sent nothing for ${this.watchdogMs} ms`,
          'EWATCHSILENT',
          this.watchContext,
        ),
      );
    }, afterMs);
  }

  /** Keeps the request to cancel later, unless it already ended (a source may end synchronously). */
  private track(subscription: Subscription): void {
    if (!subscription.closed) this.request = subscription;
  }

  private cancel(): void {
    this.request?.unsubscribe();
    this.request = undefined;
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.watchdog?.unsubscribe();
    this.watchdog = undefined;
  }
}

/** An ERROR event's object as a Status; one that is not a Status becomes a 500 naming what came. */
function asStatus(object: KubeStatus): KubeStatus {
  if (object.kind === 'Status' && typeof object.code === 'number') return object;
  const sample = JSON.stringify(object).slice(0, 200);
  return {
    kind: 'Status',
    status: 'Failure',
    code: 500,
    reason: 'InternalError',
    message: `an ERROR watch event without a Status: ${sample}`,
  };
}

function eventName(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type} event`;
}

function hasName(object: KubeObject): boolean {
  return typeof object?.metadata?.name === 'string' && object.metadata.name !== '';
}
