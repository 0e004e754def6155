import type { SchedulerLike, Subscription } from 'rxjs';
import type { Write } from './client/write.js';
import { InformerStoppedError } from './errors.js';
import type { HealthTracker } from './health-tracker.js';
import type { InformerScope } from './informer.js';
import type { ReflectorEvent } from './reflector-events.js';
import { objectKey, type KubeObject } from './resources/kube-object.js';
import { resourceName, type ResourceDescriptor } from './resources/resource.js';
import { compareResourceVersions, isIntegerResourceVersion } from './resource-version.js';
import type { Store } from './store.js';
import { VersionQueue } from './version-queue.js';
import { WaitForTimeoutError } from './wait-for-timeout-error.js';
import { WriteScope, waitTarget, type WaitTarget } from './wait-target.js';

/**
 * Options of `informer.waitFor(write, options)`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await pods.waitFor(write, { timeoutMs: 30_000, signal: controller.signal });
 * ```
 */
export interface WaitForOptions {
  /**
   * Give up after this long (ms) with a `WaitForTimeoutError`; default 5 000, timed on the
   * informer's scheduler. 0 or `Infinity` waits until the write shows, the signal aborts or the
   * informer stops.
   */
  timeoutMs?: number;
  /** Aborting it rejects the wait with the signal's `reason`. */
  signal?: AbortSignal;
}

/** The default `timeoutMs` of `waitFor`. */
const DEFAULT_TIMEOUT_MS = 5_000;

/** What a {@link WriteWaiter} reads; the informer provides it. */
export interface WriteWaiterDeps<T extends KubeObject> {
  readonly resource: ResourceDescriptor<T>;
  readonly scope: Readonly<InformerScope>;
  readonly store: Store<T>;
  /** The resourceVersion the store is current to; `''` before the first list is in. */
  readonly processed: () => string;
  readonly scheduler: SchedulerLike;
  /** Where `resourceVersionOrder` is shown. */
  readonly health: HealthTracker;
}

/**
 * One pending wait. `present`: the object must show at its version; `leave`: an object that
 * left the informer's selector must leave the cache; `deleted`: the object must be gone.
 */
interface Pending {
  readonly target: WaitTarget;
  readonly kind: 'present' | 'leave' | 'deleted';
  /** Whether the informer has processed the target's resourceVersion; then it is not queued. */
  reached: boolean;
  timer: Subscription | undefined;
  cleanup: (() => void) | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The pending `waitFor` calls of one informer, resolved as its cache takes events.
 *
 * Waits on an ordered resourceVersion sit in a queue sorted by version, so an event settles
 * the due ones from its front without looking at the others; every wait also sits in a map by
 * key, looked at only for the key an event touched (and all at once after a list, which may
 * have replaced any key). With no wait pending, the informer calls nothing per event.
 * The order of resourceVersions is assumed ({@link isIntegerResourceVersion}) until one that is
 * not a canonical integer shows up, in a list, a write, or an event while a wait is pending;
 * then waits fall back to exact versions and absence, and health says `'opaque'`.
 */
export class WriteWaiter<T extends KubeObject> {
  private readonly name: string;
  private readonly writeScope: WriteScope;
  /** Waits on a version not processed yet; only waits that have one, while versions are ordered. */
  private readonly byVersion = new VersionQueue<Pending>((wait) => wait.target.write.resourceVersion!);
  private readonly byKey = new Map<string, Set<Pending>>();
  private count = 0;
  private ordered = true;
  private running = false;
  private stoppedWith: Error;

  constructor(private readonly deps: WriteWaiterDeps<T>) {
    this.name = resourceName(deps.resource);
    this.writeScope = new WriteScope(deps.resource, deps.scope);
    this.stoppedWith = this.notRunning();
  }

  /** How many waits are pending: the informer hands events over only while this is not 0. */
  get pending(): number {
    return this.count;
  }

  /** The informer started: waits are accepted, and resourceVersions are assumed ordered again. */
  start(): void {
    this.running = true;
    this.ordered = true;
  }

  /**
   * The informer stopped: every pending wait rejects with `error` (the fatal one), or with an
   * {@link InformerStoppedError} naming its write; later waits reject the same way until the
   * informer starts again.
   */
  stop(error?: Error): void {
    this.running = false;
    this.stoppedWith = error ?? this.notRunning();
    for (const waits of [...this.byKey.values()]) {
      for (const wait of waits) {
        this.fail(
          wait,
          error ??
            new InformerStoppedError(`the ${this.name} informer stopped while waiting for ${describe(wait)}`),
        );
      }
    }
  }

  /** Resolves once the cache reflects the write; see `Informer.waitFor` for the rules. */
  waitFor(write: Write | KubeObject, options: WaitForOptions = {}): Promise<void> {
    let target: WaitTarget;
    let timeoutMs: number;
    try {
      target = waitTarget(write, this.deps.resource);
      timeoutMs = validTimeout(options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.running) return Promise.reject(this.stoppedWith);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const excluded = this.writeScope.excludes(target);
    if (excluded === 'namespace') return Promise.resolve();
    if (excluded === 'selector' && !this.deps.store.has(target.key)) return Promise.resolve();
    this.observe(target.write.resourceVersion);
    this.observe(this.deps.processed());
    return new Promise<void>((resolve, reject) => {
      const wait: Pending = {
        target,
        kind: target.write.deleted ? 'deleted' : excluded ? 'leave' : 'present',
        reached: false,
        timer: undefined,
        cleanup: undefined,
        resolve,
        reject,
      };
      const rv = target.write.resourceVersion;
      wait.reached = this.ordered && rv !== undefined && this.hasProcessed(rv);
      if (this.satisfied(wait)) return resolve();
      this.count++;
      let waits = this.byKey.get(target.key);
      if (!waits) this.byKey.set(target.key, (waits = new Set()));
      waits.add(wait);
      if (this.ordered && rv !== undefined && !wait.reached) this.byVersion.add(wait);
      if (timeoutMs > 0 && timeoutMs !== Infinity) {
        wait.timer = this.deps.scheduler.schedule(() => {
          wait.timer = undefined;
          this.fail(wait, this.timedOut(wait, timeoutMs));
        }, timeoutMs);
      }
      if (signal) {
        const onAbort = () => this.fail(wait, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        wait.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
    });
  }

  /**
   * The cache applied an event. Called for every list's end, and for other events only while
   * waits are pending.
   */
  applied(event: ReflectorEvent<T>): void {
    switch (event.type) {
      case 'list-start':
        return;
      case 'list-item':
        return this.checkKey(objectKey(event.object));
      case 'list-done':
        this.observe(event.resourceVersion);
        if (this.count === 0) return;
        // A list may have replaced or removed any key.
        this.checkAll();
        return this.advance();
      case 'bookmark':
        this.observe(event.resourceVersion);
        return this.advance();
      default:
        this.observe(event.object.metadata?.resourceVersion);
        this.checkKey(objectKey(event.object));
        return this.advance();
    }
  }

  /** Notes a resourceVersion seen; the first that is not a canonical integer ends ordering. */
  private observe(resourceVersion: string | undefined): void {
    if (!this.ordered || !resourceVersion || isIntegerResourceVersion(resourceVersion)) return;
    this.ordered = false;
    this.deps.health.update({ resourceVersionOrder: 'opaque' });
    this.byVersion.clear();
    this.checkAll();
  }

  private hasProcessed(resourceVersion: string): boolean {
    const processed = this.deps.processed();
    return processed !== '' && compareResourceVersions(resourceVersion, processed) <= 0;
  }

  private satisfied(wait: Pending): boolean {
    const { key } = wait.target;
    const { resourceVersion, uid } = wait.target.write;
    const cached = this.deps.store.get(key);
    if (wait.kind === 'deleted') {
      // Still there, and (as far as the uid tells) still the same object.
      if (cached && (uid === undefined || cached.metadata?.uid === uid)) return false;
      return resourceVersion === undefined || !this.ordered || wait.reached;
    }
    if (cached === undefined ? wait.kind === 'leave' : cached.metadata?.resourceVersion === resourceVersion) {
      return true;
    }
    return this.ordered && this.hasProcessed(resourceVersion!);
  }

  /** Settles the waits the processed resourceVersion has reached, from the queue's front. */
  private advance(): void {
    if (this.byVersion.size === 0) return;
    const processed = this.deps.processed();
    if (processed === '') return;
    for (const wait of this.byVersion.takeUpTo(processed)) {
      wait.reached = true;
      if (wait.kind !== 'deleted' || this.satisfied(wait)) this.finish(wait);
    }
  }

  private checkKey(key: string): void {
    const waits = this.byKey.get(key);
    if (!waits) return;
    for (const wait of waits) if (this.satisfied(wait)) this.finish(wait);
  }

  private checkAll(): void {
    for (const waits of [...this.byKey.values()]) {
      for (const wait of waits) if (this.satisfied(wait)) this.finish(wait);
    }
  }

  /** Resolves a wait, taking it out of every structure and stopping its timer and listener. */
  private finish(wait: Pending): void {
    if (this.remove(wait)) wait.resolve();
  }

  /** Rejects a wait, as {@link finish} resolves one. */
  private fail(wait: Pending, error: unknown): void {
    if (this.remove(wait)) wait.reject(error);
  }

  /** False when the wait had already settled. */
  private remove(wait: Pending): boolean {
    const { key } = wait.target;
    const waits = this.byKey.get(key);
    if (!waits?.delete(wait)) return false;
    if (waits.size === 0) this.byKey.delete(key);
    this.count--;
    if (!wait.reached && this.ordered && wait.target.write.resourceVersion !== undefined) {
      this.byVersion.remove(wait);
    }
    wait.timer?.unsubscribe();
    wait.timer = undefined;
    wait.cleanup?.();
    wait.cleanup = undefined;
    return true;
  }

  private timedOut(wait: Pending, timeoutMs: number): WaitForTimeoutError {
    return new WaitForTimeoutError({
      write: wait.target.write,
      objectKey: wait.target.key,
      processedResourceVersion: this.deps.processed() || undefined,
      timeoutMs,
    });
  }

  private notRunning(): InformerStoppedError {
    return new InformerStoppedError(
      `the ${this.name} informer is not running: waitFor needs it started (subscribe to one of its observables or call start() first)`,
    );
  }
}

function validTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(
      `waitFor: timeoutMs must be a number >= 0 (0 or Infinity: no timeout), not ${timeoutMs}`,
    );
  }
  return timeoutMs;
}

function describe(wait: Pending): string {
  const { key } = wait.target;
  const { resourceVersion, deleted } = wait.target.write;
  const at = resourceVersion === undefined ? '' : ` at resourceVersion ${resourceVersion}`;
  return deleted ? `the deletion of ${key}${at}` : `${key}${at}`;
}
