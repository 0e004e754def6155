import type { SchedulerLike, Subscription } from 'rxjs';
import { validBackoff, type BackoffOptions } from './backoff.js';
import { ConnectionError, DecodeError, apiErrorFor, type KubeStatus, type RequestContext } from './errors.js';
import type { HealthTracker } from './health-tracker.js';
import type { Logger } from './logger.js';
import { healthOf, stepReflector } from './reflector-machine.js';
import {
  initialMachine,
  type ReflectorCommand,
  type ReflectorInput,
  type ReflectorMachine,
  type ReflectorRules,
} from './reflector-state.js';
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
  /**
   * Receives the list phase and the watch's changes, in order. It may throw (user code runs
   * behind it): the reflector then retries with backoff from before that object, as after any
   * other transient failure.
   */
  readonly sink: (event: ReflectorEvent<T>) => void;
  /** Called once with an error retrying cannot fix; the reflector has stopped. */
  readonly fatal: (error: Error) => void;
}

/**
 * Runs the reflector's state machine ({@link stepReflector}) against a lister-watcher: it turns
 * the server's answers and its timers into inputs, and carries out the commands each step
 * returns (requests, the cache's list phase, backoff timers, health). It never stops on a
 * transient error.
 */
export class Reflector<T extends KubeObject> {
  private readonly rules: ReflectorRules;
  private readonly timeoutRange: readonly [number, number];
  private readonly watchdogMs: number;
  private readonly watchContext: RequestContext;
  private machine: ReflectorMachine;
  private request: Subscription | undefined;
  private timer: Subscription | undefined;
  private watchdog: Subscription | undefined;
  private lastActivity = 0;

  constructor(
    private readonly deps: ReflectorDeps<T>,
    options: ReflectorOptions = {},
  ) {
    this.rules = {
      pageSize: options.pageSize ?? 500,
      watchListFallback: (options.watchList ?? 'auto') === 'auto',
      backoff: validBackoff(options.backoff ?? {}),
      quickCloseMs: 1000,
      context: deps.context,
    };
    this.timeoutRange = options.watchTimeoutSeconds ?? [300, 600];
    this.watchdogMs = options.watchdogMs ?? 150_000;
    this.watchContext = { ...deps.context, verb: 'watch' };
    this.machine = initialMachine((options.watchList ?? 'auto') !== 'never', deps.health.current);
  }

  /** The current state, for diagnosis. */
  get state(): ReflectorMachine['state'] {
    return this.machine.state;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(): void {
    this.cancel();
    this.dispatch({ type: 'stop' });
  }

  private dispatch(input: ReflectorInput): void {
    const before = this.machine;
    const { machine, commands } = stepReflector(before, input, this.rules, {
      now: this.deps.scheduler.now(),
      random: this.deps.random,
    });
    this.machine = machine;
    if (machine.state !== before.state || machine.failures !== before.failures) {
      this.deps.health.update(healthOf(machine));
    }
    // A command can lead to another step at once (a sink that stops the informer, a source
    // that answers synchronously): the rest of this step's commands are then stale.
    for (let i = 0; i < commands.length && this.machine === machine; i++) this.run(commands[i]!);
  }

  private run(command: ReflectorCommand): void {
    switch (command.do) {
      case 'list':
        if (command.begins) this.beginList(command.relist, command.reason);
        return this.listPage(command);
      case 'watch':
        if (command.begins) this.beginList(command.relist, command.reason);
        else if (command.reason) this.deps.logger.debug({ reason: command.reason }, 'watching again');
        return this.openWatch(command.params);
      case 'listed':
        return void this.toSink({ type: 'list-done', resourceVersion: command.resourceVersion });
      case 'wait':
        this.deps.logger.warn(
          { err: command.error.message, delayMs: command.delayMs, attempt: this.machine.failures },
          'retrying after backoff',
        );
        this.timer = this.deps.scheduler.schedule(() => {
          this.timer = undefined;
          this.dispatch({ type: 'retry' });
        }, command.delayMs);
        return;
      case 'fail':
        this.cancel();
        this.deps.logger.error({ err: command.error.message }, 'informer failed');
        return this.deps.fatal(command.error);
    }
  }

  private beginList(relist: boolean, reason: string | undefined): void {
    if (reason) this.deps.logger.info({ reason }, relist ? 'relisting' : 'listing again');
    this.toSink({ type: 'list-start', relist });
  }

  private listPage(command: Extract<ReflectorCommand, { do: 'list' }>): void {
    const machine = this.machine;
    let last: ListPage<T> | undefined;
    this.track(
      this.deps.listerWatcher.list(command.params).subscribe({
        next: (page) => {
          last = page;
          for (const object of page.items) {
            if (this.machine !== machine) return;
            if (!hasName(object)) {
              return this.failed(
                new DecodeError(
                  'a listed object has no metadata.name',
                  JSON.stringify(object),
                  this.deps.context,
                ),
              );
            }
            if (!this.toSink({ type: 'list-item', object })) return;
          }
        },
        error: (error: unknown) => this.failed(error),
        complete: () => {
          if (this.machine !== machine || !last) return;
          this.request = undefined;
          this.dispatch({ type: 'page', resourceVersion: last.resourceVersion, continue: last.continue });
        },
      }),
    );
  }

  private openWatch(params: Extract<ReflectorCommand, { do: 'watch' }>['params']): void {
    const [min, max] = this.timeoutRange;
    const timeoutSeconds = Math.floor(min + this.deps.random() * (max - min));
    this.lastActivity = this.deps.scheduler.now();
    this.track(
      this.deps.listerWatcher.watch({ ...params, timeoutSeconds, allowWatchBookmarks: true }).subscribe({
        next: (event) => this.onWatchEvent(event),
        error: (error: unknown) => this.failed(error),
        complete: () => {
          this.cancel();
          this.dispatch({ type: 'closed' });
        },
      }),
    );
    this.armWatchdog(this.watchdogMs);
  }

  private onWatchEvent(event: WatchEvent<T>): void {
    const state = this.machine.state;
    const streaming = state.phase === 'listing' && state.streaming;
    if (state.phase !== 'watching' && !streaming) return;
    this.lastActivity = this.deps.scheduler.now();
    const context = streaming ? this.deps.context : this.watchContext;
    if (event.type === 'ERROR') return this.failed(apiErrorFor(asStatus(event.object), context));
    const object = event.object;
    const resourceVersion = object.metadata?.resourceVersion;
    if (typeof resourceVersion !== 'string') {
      return this.failed(
        new DecodeError(
          `${eventName(event.type)} has no metadata.resourceVersion`,
          JSON.stringify(object),
          context,
        ),
      );
    }
    if (event.type === 'BOOKMARK') {
      this.deps.health.touch({ lastBookmarkAt: this.lastActivity, resourceVersion });
      if (!streaming) {
        if (!this.toSink({ type: 'bookmark', resourceVersion })) return;
        return this.dispatch({ type: 'bookmark', resourceVersion });
      }
      if (object.metadata?.annotations?.[INITIAL_EVENTS_END] === 'true')
        this.dispatch({ type: 'initial-events-end', resourceVersion });
      return;
    }
    if (!hasName(object)) {
      return this.failed(
        new DecodeError(
          `${eventName(event.type)}'s object has no metadata.name`,
          JSON.stringify(object),
          context,
        ),
      );
    }
    if (streaming) {
      if (event.type === 'ADDED') return void this.toSink({ type: 'list-item', object });
      // A server that ignores sendInitialEvents streams ordinary changes: list instead.
      this.cancel();
      return this.dispatch({
        type: 'watch-list-unsupported',
        why: `${event.type} before the end of the initial events`,
      });
    }
    const type = event.type === 'ADDED' ? 'added' : event.type === 'MODIFIED' ? 'modified' : 'deleted';
    if (!this.toSink({ type, object })) return;
    this.deps.health.touch({ lastEventAt: this.lastActivity, resourceVersion });
    this.dispatch({ type: 'event', resourceVersion });
  }

  /** Hands an event to the cache; a throw there fails this attempt. Returns whether it took it. */
  private toSink(event: ReflectorEvent<T>): boolean {
    try {
      this.deps.sink(event);
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  private failed(error: unknown): void {
    const state = this.machine.state.phase;
    if (state === 'stopped' || state === 'failed') return;
    this.cancel();
    this.dispatch({ type: 'error', error: error instanceof Error ? error : new Error(String(error)) });
  }

  private armWatchdog(afterMs: number): void {
    if (this.watchdogMs <= 0) return;
    this.watchdog = this.deps.scheduler.schedule(() => {
      this.watchdog = undefined;
      if (!this.request) return;
      const idle = this.deps.scheduler.now() - this.lastActivity;
      if (idle < this.watchdogMs) return this.armWatchdog(this.watchdogMs - idle);
      this.failed(
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
