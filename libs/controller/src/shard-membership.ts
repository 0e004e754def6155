import type { KubeConfig } from '@kubernetes/client-node';
import { silentLogger, type Logger, type KubeClient } from '@rxinformer/core';
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
import { rendezvousOwner } from './rendezvous.js';

/**
 * The label that marks the shard leases of one group; its value is the group's name.
 *
 * @example
 * ```ts
 * const members = await new LeaseClient(kc, 'default').list(`${SHARD_GROUP_LABEL}=websites`);
 * ```
 */
export const SHARD_GROUP_LABEL = 'rxinformer.dev/shard-group';

/**
 * Options of a {@link ShardMembership}.
 *
 * @example
 * ```ts
 * import { hostname } from 'node:os';
 *
 * const options: ShardingOptions = { kubeConfig: kc, namespace: 'default', name: 'websites', identity: hostname() };
 * ```
 */
export interface ShardingOptions extends LeaseTimings {
  /** The cluster, when no `client` is given: the Lease requests then get connections of their own. */
  kubeConfig?: KubeConfig;
  /** A client to send the Lease requests with, such as an informer factory's (shares its connections). */
  client?: KubeClient;
  /** Namespace of the shard leases. */
  namespace: string;
  /** The shard group: leases are named `<name>-shard-<identity>` and labelled `rxinformer.dev/shard-group=<name>`. */
  name: string;
  /** This replica's identity; unique in the group and a valid DNS label suffix. */
  identity: string;
  /**
   * What a key is hashed by: `'key'` (`namespace/name`, default) or `'namespace'` (whole
   * namespaces move together). Not the uid: a deleted and re-created object keeps its key but
   * not its uid, and the key is what must never be reconciled twice at once.
   */
  shardBy?: 'key' | 'namespace';
  scheduler?: SchedulerLike;
  logger?: Logger;
}

/**
 * What one replica knows of its shard group.
 *
 * @example
 * ```ts
 * const membership = new ShardMembership({ kubeConfig: kc, namespace: 'default', name: 'websites', identity: 'pod-a' });
 * membership.view$.subscribe((v) => console.log(v.active, v.members));
 * ```
 */
export interface ShardView {
  /** Whether this replica may process keys now. */
  readonly active: boolean;
  /** Identities of the live members (own included), sorted. */
  readonly members: readonly string[];
}

/**
 * Horizontal sharding of a controller over Leases. Each replica holds the Lease
 * `<name>-shard-<identity>`, renewing it every retry period and, right after, listing the group's
 * leases (a consistent read); the live members are those whose lease it has seen change within
 * the lease duration (by its own clock). A key belongs to the rendezvous-hash winner among the
 * live members.
 *
 * No key is processed by two replicas at once, because each replica works only while (1) its last
 * successful renew+list began less than `renewDeadlineMs` ago, and (2) at least
 * `leaseDurationMs` have passed since its lease was written at the start of its current run of
 * successful renewals. Then any two working replicas see each other: a replica working at `t`
 * last listed after `t - renewDeadline`, later than the other's join write (made before
 * `t - leaseDuration`), and it has seen the other's lease change within the lease duration
 * (renewals at least every `renewDeadline + retryPeriod < leaseDuration`). Two replicas with
 * each other in their views cannot both win a key under rendezvous hashing, since each member's
 * score for a key is the same everywhere. A replica that leaves cleanly stops working before it
 * deletes its lease; one that dies stops by its renew deadline, before others expire it.
 * The argument assumes reconciles end promptly when their `AbortSignal` aborts: a replica aborts
 * the keys it loses as soon as it sees the new member, which leaves them
 * `leaseDuration - retryPeriod` (and at least `leaseDuration - renewDeadline`) to finish.
 *
 * Failed Lease requests are data on `health$`, never an unhandled error. Network errors, 5xx,
 * 429 and 401 are retried every retry period (phase `retrying`; the replica stops working at
 * its renew deadline as usual). A 403 (RBAC forbids writing or listing the shard leases) or a
 * 400/422 is not retried: the replica turns inactive at once, stops renewing, and `health$`
 * turns `failed` with the typed error; `ownership$` then errors with it, so a {@link controller}
 * using this membership fails too (its `done` rejects). `view$` and `health$` never error.
 * `stop()` then `start()` tries again.
 *
 * @example
 * ```ts
 * const shards = new ShardMembership({ kubeConfig: kc, namespace: 'default', name: 'websites', identity: process.env.POD_NAME! });
 * shards.health$.subscribe((h) => { if (h.phase !== 'running') console.warn(h.phase, h.lastError?.message); });
 * controller({ name: 'website', for: websites, reconcile, ownership: shards }).start();
 * ```
 */
export class ShardMembership implements KeyOwnership {
  /** This replica's view; replays the latest. */
  readonly view$: Observable<ShardView>;
  /** The keys this replica owns, or `undefined` while inactive; errors with the typed error once the membership has failed (a 403). */
  readonly ownership$: Observable<KeyFilter | undefined>;
  /** Whether the Lease requests succeed, why not, and whether the membership gave up; replays the current value. */
  readonly health$: Observable<LeaseHealth>;
  private readonly view = new BehaviorSubject<ShardView>({ active: false, members: [] });
  private readonly healthState = new BehaviorSubject<LeaseHealth>(idleLeaseHealth);
  private readonly client: LeaseClient;
  private readonly timings: Required<LeaseTimings>;
  private readonly scheduler: SchedulerLike;
  private readonly logger: Logger;
  private readonly observer = new LeaseObserver();
  private readonly leaseName: string;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private lease: Lease | undefined;
  private members: readonly string[] = [];
  private validUntil = 0;
  private activeFrom: number | undefined;
  private timers: Subscription[] = [];

  constructor(private readonly options: ShardingOptions) {
    this.timings = resolveTimings(options);
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = options.logger ?? silentLogger;
    const source = options.client ?? options.kubeConfig;
    if (!source) throw new TypeError(`ShardMembership: give a kubeConfig or a client`);
    this.client = new LeaseClient(source, options.namespace, this.timings.renewDeadlineMs, this.scheduler);
    this.leaseName = `${options.name}-shard-${options.identity}`;
    this.view$ = this.view.pipe(
      distinctUntilChanged((a, b) => a.active === b.active && a.members.join() === b.members.join()),
    );
    this.health$ = this.healthState.asObservable();
    const by = options.shardBy ?? 'key';
    const failure$ = this.healthState.pipe(
      map((h) => {
        if (h.phase === 'failed') throw h.lastError;
        return false;
      }),
      distinctUntilChanged(),
    );
    this.ownership$ = combineLatest([this.view$, failure$]).pipe(
      map(([v]) => {
        if (!v.active) return undefined;
        const members = v.members;
        return (key: string) =>
          rendezvousOwner(
            by === 'namespace' ? (key.includes('/') ? key.slice(0, key.indexOf('/')) : '') : key,
            members,
          ) === options.identity;
      }),
    );
  }

  /** The current health snapshot. */
  get health(): LeaseHealth {
    return this.healthState.value;
  }

  /** Starts renewing and listing (idempotent; after a failure, call `stop()` first to try again). */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.record({ type: 'started' });
    this.loop = this.run(this.abort.signal);
  }

  /** Stops; call it only after this replica's work has ended: it deletes the lease, handing the keys over at once. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    this.timers.forEach((t) => t.unsubscribe());
    this.validUntil = 0;
    this.publish();
    let error: unknown;
    if (this.lease) {
      try {
        await this.client.delete(this.leaseName);
      } catch (e) {
        error = e;
        this.logger.warn({ err: e, lease: this.leaseName }, 'could not delete the shard lease');
      }
      this.lease = undefined;
    }
    this.client.close();
    this.record(error === undefined ? { type: 'stopped' } : { type: 'stopped', error });
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.scheduler.now();
      try {
        const written = await this.renew(started);
        const leases = await this.client.list(`${SHARD_GROUP_LABEL}=${this.options.name}`);
        if (signal.aborted) return;
        this.record({ type: 'succeeded', at: this.scheduler.now() });
        this.sync(started, written, leases);
      } catch (e) {
        if (signal.aborted) return;
        const first = this.healthState.value.failures === 0;
        if (isFatalLeaseError(e)) {
          // Stop working at once, then say why: a replica that may not renew its lease is no member.
          this.timers.forEach((t) => t.unsubscribe());
          this.validUntil = 0;
          this.publish();
          this.record({ type: 'failed', error: e });
          this.logger.error(
            { err: e, lease: this.leaseName },
            'the shard lease cannot be used: stopped working and renewing',
          );
          return;
        }
        this.record({ type: 'failed', error: e });
        // The first failure of a run is worth a warning; the rest are on health$.
        if (first) this.logger.warn({ err: e, lease: this.leaseName }, 'shard lease renew or list failed');
        else this.logger.debug({ err: e, lease: this.leaseName }, 'shard lease renew or list failed again');
      }
      await sleep(this.scheduler, this.timings.retryPeriodMs, signal);
    }
  }

  private record(event: LeaseHealthEvent): void {
    const next = nextLeaseHealth(this.healthState.value, event);
    if (next !== this.healthState.value) this.healthState.next(next);
  }

  /** Renews (or creates) the own lease; resolves with the time the write was acknowledged. */
  private async renew(now: number): Promise<number> {
    const spec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.timings.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    const labels = { [SHARD_GROUP_LABEL]: this.options.name };
    if (this.lease) {
      try {
        this.lease = await this.client.update({ ...this.lease, spec: { ...this.lease.spec, ...spec } });
        return this.scheduler.now();
      } catch (e) {
        if ((e as { code?: unknown }).code !== 409 && (e as { code?: unknown }).code !== 404) throw e;
        this.lease = undefined;
      }
    }
    const current = await this.client.get(this.leaseName);
    this.lease = current
      ? await this.client.update({
          ...current,
          metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...labels } },
          spec: { ...current.spec, ...spec },
        })
      : await this.client.create({
          metadata: { name: this.leaseName, namespace: this.options.namespace, labels },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        });
    return this.scheduler.now();
  }

  private sync(started: number, written: number, leases: readonly Lease[]): void {
    const now = this.scheduler.now();
    const live = new Set<string>([this.options.identity]);
    const names = new Set<string>();
    for (const lease of leases) {
      const holder = lease.spec?.holderIdentity;
      names.add(lease.metadata.name);
      const changedAt = this.observer.observe(lease.metadata.name, lease.spec, now);
      if (holder && now - changedAt < this.timings.leaseDurationMs) live.add(holder);
    }
    this.observer.retain(names);
    // A gap (the renew deadline passed) starts a new run: wait a lease duration again.
    if (this.activeFrom === undefined || started >= this.validUntil)
      this.activeFrom = written + this.timings.leaseDurationMs;
    this.validUntil = started + this.timings.renewDeadlineMs;
    this.members = [...live].sort();
    this.timers.forEach((t) => t.unsubscribe());
    this.timers = [
      this.scheduler.schedule(() => this.publish(), Math.max(0, this.validUntil - now)),
      ...(this.activeFrom > now
        ? [this.scheduler.schedule(() => this.publish(), this.activeFrom - now)]
        : []),
    ];
    this.publish();
  }

  private publish(): void {
    const now = this.scheduler.now();
    const active =
      this.loop !== undefined &&
      this.activeFrom !== undefined &&
      now >= this.activeFrom &&
      now < this.validUntil;
    if (!active && now >= this.validUntil) this.activeFrom = undefined;
    this.view.next({ active, members: this.members });
  }
}
