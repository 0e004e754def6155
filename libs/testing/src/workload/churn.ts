import { Pods, type ResourceDescriptor } from '@rxinformer/core';
import { watchersOf, type KubeApiServer } from '../server/kube-api-server.js';
import { populationOf } from './population.js';

/**
 * Options of {@link churn}: a rate, a stop condition, and the mix of writes.
 *
 * @example
 * ```ts
 * const options: ChurnOptions = { ratePerSecond: 5000, durationMs: 10_000, mix: { update: 8, create: 1, delete: 1 } };
 * ```
 */
export interface ChurnOptions {
  readonly resource?: ResourceDescriptor;
  readonly ratePerSecond: number;
  /** Stop after this long (default: run until `stop()` or `events`). */
  readonly durationMs?: number;
  /** Stop after this many writes. */
  readonly events?: number;
  /** Relative weights of updates, creations and deletions; default 8:1:1. */
  readonly mix?: { readonly update?: number; readonly create?: number; readonly delete?: number };
  /**
   * Pace writes by the watchers: skip a tick while any open watch of the resource has more than
   * this many bytes waiting to reach its client (so a run pushes events as fast as clients read,
   * instead of getting slow watchers dropped). Default: no pacing.
   */
  readonly maxBufferedBytes?: number;
  /** Used only if the population does not exist yet (see populate). */
  readonly seed?: number;
  readonly namespaces?: number | readonly string[];
  readonly bytes?: number;
}

/**
 * What a churn did.
 *
 * @example
 * ```ts
 * const stats = await churn(server, { ratePerSecond: 100, events: 500 }).done;
 * ```
 */
export interface ChurnStats {
  readonly events: number;
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly elapsedMs: number;
  /** Achieved rate over the run. */
  readonly ratePerSecond: number;
}

/**
 * A running churn.
 *
 * @example
 * ```ts
 * const run = churn(server, { ratePerSecond: 1000 });
 * const stats = await run.stop();
 * ```
 */
export interface ChurnRun {
  /** Stops after the current tick; resolves with the stats. */
  stop(): Promise<ChurnStats>;
  /** Resolves when the run stops (duration, event count, or stop()). */
  readonly done: Promise<ChurnStats>;
}

const TICK_MS = 10;

/**
 * Mutates the workload's objects at a steady rate (seeded choices, cheap writes: each is one
 * object built from a shared template and serialized once), so watchers see a realistic stream.
 * Falls behind by at most 100 ms of work per tick rather than bursting after a stall.
 *
 * @example
 * ```ts
 * await populate(server, { count: 10_000 });
 * const run = churn(server, { ratePerSecond: 5000, durationMs: 5000 });
 * const { events, ratePerSecond } = await run.done;
 * ```
 */
export function churn(server: KubeApiServer, options: ChurnOptions): ChurnRun {
  const population = populationOf(server, options.resource ?? Pods, options);
  const weights = {
    update: options.mix?.update ?? 8,
    create: options.mix?.create ?? 1,
    delete: options.mix?.delete ?? 1,
  };
  const total = weights.update + weights.create + weights.delete;
  if (!(total > 0) || !(options.ratePerSecond > 0))
    throw new RangeError('churn: ratePerSecond and the mix weights must be positive');
  const counts = { created: 0, updated: 0, deleted: 0 };
  const start = performance.now();
  let done = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: (stats: ChurnStats) => void;
  const finished = new Promise<ChurnStats>((resolve) => (resolveDone = resolve));
  const stats = (): ChurnStats => {
    const elapsedMs = performance.now() - start;
    return {
      events: done,
      ...counts,
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0,
    };
  };
  const finish = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    stopped = true;
    resolveDone(stats());
  };
  const one = (): void => {
    const roll = population.random.next() * total;
    if (roll < weights.create || population.members.length === 0) {
      population.create();
      counts.created++;
    } else if (roll < weights.create + weights.delete) {
      if (population.delete()) counts.deleted++;
      else return;
    } else if (population.update()) {
      counts.updated++;
    } else {
      return;
    }
    done++;
  };
  const watchers = watchersOf(server);
  const { group, plural } = population.served.descriptor;
  let paused = 0;
  let pausedAt: number | undefined;
  const backlogged = (): boolean => {
    if (options.maxBufferedBytes === undefined) return false;
    for (const watcher of watchers) {
      const d = watcher.spec.served.descriptor;
      if (d.group === group && d.plural === plural && watcher.bufferedBytes > (options.maxBufferedBytes ?? 0))
        return true;
    }
    return false;
  };
  const tick = (): void => {
    if (stopped) return;
    const elapsed = performance.now() - start;
    if (backlogged()) {
      // The rate clock does not run while paused: no burst when the clients catch up.
      pausedAt ??= elapsed;
      timer = setTimeout(tick, 1);
      return;
    }
    if (pausedAt !== undefined) {
      paused += elapsed - pausedAt;
      pausedAt = undefined;
    }
    let target = Math.floor(((elapsed - paused) * options.ratePerSecond) / 1000);
    if (options.events !== undefined) target = Math.min(target, options.events);
    const maxPerTick = Math.max(1, Math.ceil(options.ratePerSecond / 10));
    for (let n = 0; done < target && n < maxPerTick; n++) {
      if ((n & 255) === 255 && backlogged()) break;
      const before = done;
      one();
      if (done === before) one(); // a failed pick (object gone): try once more
    }
    if (
      (options.events !== undefined && done >= options.events) ||
      (options.durationMs !== undefined && elapsed >= options.durationMs)
    ) {
      finish();
      return;
    }
    timer = setTimeout(tick, TICK_MS);
  };
  timer = setTimeout(tick, 0);
  return {
    stop: () => {
      if (!stopped) finish();
      return finished;
    },
    done: finished,
  };
}
