import type { KubeConfig } from '@kubernetes/client-node';
import { ConflictError, silentLogger, type Logger, type KubeClient } from '@rxinformer/core';
import {
  BehaviorSubject,
  asyncScheduler,
  combineLatest,
  distinctUntilChanged,
  map,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { KeyFilter, KeyOwnership } from './key-ownership.js';
import { LeaseClient, microTime, type Lease } from './lease-client.js';
import {
  idleLeaseHealth,
  isFatalLeaseError,
  nextLeaseHealth,
  type LeaseHealth,
  type LeaseHealthEvent,
} from './lease-health.js';
import { LeaseObserver, resolveTimings, sleep, type LeaseTimings } from './lease-timings.js';

/**
 * Options of a {@link LeaderElector}.
 *
 * @example
 * ```ts
 * import { hostname } from 'node:os';
 *
 * const options: LeaderElectionOptions = { kubeConfig: kc, namespace: 'default', name: 'website-operator', identity: hostname() };
 * ```
 */
export interface LeaderElectionOptions extends LeaseTimings {
  /** The cluster, when no `client` is given: the Lease requests then get connections of their own. */
  kubeConfig?: KubeConfig;
  /** A client to send the Lease requests with, such as an informer factory's (shares its connections). */
  client?: KubeClient;
  /** Namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** This candidate's `holderIdentity`; unique among candidates (pod name, hostname + pid). */
  identity: string;
  /** On `stop()`, give the lease up (holder empty, duration 1 s) so a standby takes over at once (default true). */
  releaseOnCancel?: boolean;
  /** Clock and timers (default `asyncScheduler`). */
  scheduler?: SchedulerLike;
  logger?: Logger;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease with client-go's protocol: a candidate
 * creates the Lease or takes it over once it has seen no renewal for `leaseDurationMs`
 * (by its own clock), writing `holderIdentity`, `acquireTime`, `renewTime` (MicroTime) and
 * `leaseTransitions` with optimistic concurrency on `resourceVersion`; the leader renews every
 * `retryPeriodMs`. `leader$` turns `false` as soon as a renewal has not succeeded for
 * `renewDeadlineMs`, which is shorter than the time any standby waits before taking the lease:
 * work stops before another leader can start (no split brain). Unlike client-go, losing the
 * lease is not final: the elector keeps campaigning.
 *
 * Failed Lease requests are data on `health$`, never an unhandled error. Network errors, 5xx,
 * 429 and 401 are retried every retry period (phase `retrying`; a leader steps down at its renew
 * deadline as usual); a 409 is a lost race, not a failure. A 403 (RBAC forbids get, create or update of the Lease) or a 400/422
 * (an invalid Lease) is not retried: the elector stops leading at once, stops campaigning, and
 * turns `health$` to `failed` with the typed error; `ownership$` then errors with it, so a
 * {@link controller} using this elector fails too (its `done` rejects). `leader$` and `health$`
 * never error. `stop()` then `start()` tries again.
 *
 * @example
 * ```ts
 * const elector = new LeaderElector({ kubeConfig: kc, namespace: 'default', name: 'website-operator', identity: 'pod-a' });
 * elector.leader$.subscribe((leading) => console.log(leading ? 'leading' : 'standing by'));
 * elector.health$.subscribe((h) => { if (h.phase === 'failed') console.error('cannot use the lease:', h.lastError?.message); });
 * elector.start();
 * // …
 * await elector.stop(); // releases the lease: a standby takes over within one retry period
 * ```
 */
export class LeaderElector implements KeyOwnership {
  /** Whether this candidate leads; replays the current value. */
  readonly leader$: Observable<boolean>;
  /**
   * `() => true` while leading, `undefined` otherwise (a controller's {@link KeyOwnership}).
   * Errors with the typed error once the elector has failed (a 403 on the Lease).
   */
  readonly ownership$: Observable<KeyFilter | undefined>;
  /** Whether the Lease requests succeed, why not, and whether the elector gave up; replays the current value. */
  readonly health$: Observable<LeaseHealth>;
  private readonly leading = new BehaviorSubject(false);
  private readonly healthState = new BehaviorSubject<LeaseHealth>(idleLeaseHealth);
  private readonly client: LeaseClient;
  private readonly timings: Required<LeaseTimings>;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly observer = new LeaseObserver();
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private validUntil = 0;
  private deadline: Subscription | undefined;
  private lease: Lease | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.timings = resolveTimings(options);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    const source = options.client ?? options.kubeConfig;
    if (!source) throw new TypeError(`LeaderElector: give a kubeConfig or a client`);
    this.client = new LeaseClient(source, options.namespace, this.timings.renewDeadlineMs, this.scheduler);
    this.leader$ = this.leading.pipe(distinctUntilChanged());
    this.health$ = this.healthState.asObservable();
    const all: KeyFilter = () => true;
    this.ownership$ = combineLatest([this.leading, this.healthState]).pipe(
      map(([leading, health]) => {
        if (health.phase === 'failed') throw health.lastError;
        return leading;
      }),
      distinctUntilChanged(),
      map((leading) => (leading ? all : undefined)),
    );
  }

  /** Whether this candidate leads now. */
  get isLeader(): boolean {
    return this.leading.value;
  }

  /** The current health snapshot. */
  get health(): LeaseHealth {
    return this.healthState.value;
  }

  /** Starts campaigning (idempotent; after a failure, call `stop()` first to try again). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.record({ type: 'started' });
    this.loop = this.run(this.abort.signal);
  }

  /** Stops campaigning; if leading, stops leading and (by default) releases the lease. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    const wasLeader = this.leading.value;
    this.setLeader(false);
    if (wasLeader && (this.options.releaseOnCancel ?? true) && this.lease) {
      const now = this.scheduler.now();
      const spec = this.lease.spec ?? {};
      try {
        await this.client.update({
          ...this.lease,
          spec: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: microTime(now),
            renewTime: microTime(now),
            leaseTransitions: spec.leaseTransitions ?? 0,
          },
        });
        this.logger.info({ lease: this.options.name }, 'released the lease');
      } catch (e) {
        this.logger.warn({ err: e, lease: this.options.name }, 'could not release the lease');
        this.client.close();
        this.record({ type: 'stopped', error: e });
        return;
      }
    }
    this.client.close();
    this.record({ type: 'stopped' });
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.scheduler.now();
      let acquired = false;
      try {
        acquired = await this.tryAcquireOrRenew(started);
        if (!signal.aborted) this.record({ type: 'succeeded', at: this.scheduler.now() });
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ConflictError) {
          // Another candidate wrote the Lease first: the API works, this round is just lost.
          this.record({ type: 'succeeded', at: this.scheduler.now() });
          this.logger.debug({ lease: this.options.name }, 'lost a lease write race');
        } else if (this.failed(e)) return;
      }
      if (signal.aborted) return;
      if (acquired && this.scheduler.now() < started + this.timings.renewDeadlineMs) {
        this.validUntil = started + this.timings.renewDeadlineMs;
        this.armDeadline();
        this.setLeader(true);
      } else if (!acquired && this.lease?.spec?.holderIdentity !== this.options.identity) {
        this.setLeader(false); // someone else holds it
      }
      // Campaigners jitter (client-go's JitterFactor 1.2) so they do not retry in lockstep.
      const wait = this.leading.value
        ? this.timings.retryPeriodMs
        : this.timings.retryPeriodMs * (1 + 0.2 * Math.random());
      await sleep(this.scheduler, wait, signal);
    }
  }

  private async tryAcquireOrRenew(now: number): Promise<boolean> {
    const { identity, name } = this.options;
    const durationSeconds = Math.ceil(this.timings.leaseDurationMs / 1000);
    const current = await this.client.get(name);
    if (!current) {
      this.lease = await this.client.create({
        metadata: { name, namespace: this.options.namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      });
      this.observer.observe(name, this.lease.spec, now);
      return true;
    }
    this.lease = current;
    const spec = current.spec ?? {};
    const observedAt = this.observer.observe(name, spec, now);
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== identity;
    // Others' clocks are not trusted: the lease is free once it has not changed for its duration here.
    if (heldByOther && observedAt + this.timings.leaseDurationMs > now) return false;
    const mine = holder === identity;
    const renewed = await this.client.update({
      ...current,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: mine && spec.acquireTime ? spec.acquireTime : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: mine ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    });
    this.lease = renewed;
    this.observer.observe(name, renewed.spec, now);
    if (!mine) this.logger.info({ lease: name, previous: holder || undefined }, 'acquired the lease');
    return true;
  }

  private armDeadline(): void {
    this.deadline?.unsubscribe();
    const delay = this.validUntil - this.scheduler.now();
    this.deadline = this.scheduler.schedule(
      () => {
        if (this.scheduler.now() >= this.validUntil && this.leading.value) {
          this.logger.warn({ lease: this.options.name }, 'renew deadline passed: stopped leading');
          this.setLeader(false);
        }
      },
      Math.max(0, delay),
    );
  }

  /** Records a failed round; `true` if it was fatal (then the elector no longer leads). */
  private failed(error: unknown): boolean {
    const first = this.healthState.value.failures === 0;
    if (isFatalLeaseError(error)) {
      // Stop leading at once, then say why: a lease this process may not write is not its own.
      this.setLeader(false);
      this.record({ type: 'failed', error });
      this.logger.error(
        { err: error, lease: this.options.name },
        'the lease cannot be used: stopped leading and campaigning',
      );
      return true;
    }
    this.record({ type: 'failed', error });
    // The first failure of a run is worth a warning; the rest are on health$.
    if (first) this.logger.warn({ err: error, lease: this.options.name }, 'lease request failed: retrying');
    else this.logger.debug({ err: error, lease: this.options.name }, 'lease request failed again');
    return false;
  }

  private record(event: LeaseHealthEvent): void {
    const next = nextLeaseHealth(this.healthState.value, event);
    if (next !== this.healthState.value) this.healthState.next(next);
  }

  private setLeader(leading: boolean): void {
    if (!leading) this.deadline?.unsubscribe();
    if (this.leading.value !== leading) this.leading.next(leading);
  }
}
