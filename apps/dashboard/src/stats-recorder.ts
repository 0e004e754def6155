import type { InformerHealth } from '@rxinformer/core';

/**
 * An informer's health as the page shows it (errors as their messages).
 *
 * @example
 * ```ts
 * const row: HealthRow = healthRow('pods', pods.health);
 * ```
 */
export interface HealthRow {
  readonly resource: string;
  readonly phase: InformerHealth['phase'];
  readonly synced: boolean;
  readonly resourceVersion: string | null;
  readonly size: number;
  readonly relists: number;
  readonly restarts: number;
  readonly attempt: number;
  readonly lastEventAt: number | null;
  readonly lastBookmarkAt: number | null;
  readonly lastError: string | null;
  readonly lastReason: string | null;
  readonly retryAt: number | null;
}

/**
 * One sample of the dashboard's rates, sent to the page once a second.
 *
 * @example
 * ```ts
 * declare const sample: StatsSample;
 * const total = Object.values(sample.eventsPerSecond).reduce((a, b) => a + b, 0);
 * ```
 */
export interface StatsSample {
  /** Epoch ms of the end of the interval. */
  readonly at: number;
  /** Informer events per second in the interval (before coalescing), per resource. */
  readonly eventsPerSecond: Readonly<Record<string, number>>;
  /** Relists of all informers so far, and in this interval. */
  readonly relists: number;
  readonly relistsInInterval: number;
  /** Row-change batches sent in the interval: how many, and their sizes. */
  readonly batches: {
    readonly count: number;
    readonly averageSize: number;
    readonly maxSize: number;
    readonly lastSize: number;
  };
  /** Server-Sent Event messages per second sent to each page in the interval. */
  readonly messagesPerSecond: number;
  readonly health: readonly HealthRow[];
}

/**
 * Turns a health snapshot into a {@link HealthRow}.
 *
 * @example
 * ```ts
 * healthRow('nodes', nodes.health).phase; // 'watching'
 * ```
 */
export function healthRow(resource: string, h: InformerHealth): HealthRow {
  return {
    resource,
    phase: h.phase,
    synced: h.synced,
    resourceVersion: h.resourceVersion ?? null,
    size: h.size,
    relists: h.relists,
    restarts: h.restarts,
    attempt: h.attempt,
    lastEventAt: h.lastEventAt ?? null,
    lastBookmarkAt: h.lastBookmarkAt ?? null,
    lastError: h.lastError?.message ?? null,
    lastReason: h.lastReason ?? null,
    retryAt: h.retryAt ?? null,
  };
}

/**
 * Counts what happens between two samples (events per resource, batches, messages) and keeps
 * the last `historySize` samples so a page opened later still draws its chart.
 *
 * @example
 * ```ts
 * const stats = new StatsRecorder(['pods'], 120);
 * stats.countEvent('pods');
 * const sample = stats.sample(Date.now(), [healthRow('pods', pods.health)]);
 * ```
 */
export class StatsRecorder {
  private events = new Map<string, number>();
  private batchSizes: number[] = [];
  private lastBatchSize = 0;
  private messages = 0;
  private lastAt: number | undefined;
  private lastRelists = 0;
  private readonly samples: StatsSample[] = [];

  constructor(
    private readonly resources: readonly string[],
    private readonly historySize = 120,
  ) {}

  countEvent(resource: string): void {
    this.events.set(resource, (this.events.get(resource) ?? 0) + 1);
  }

  countBatch(size: number): void {
    this.batchSizes.push(size);
    this.lastBatchSize = size;
  }

  countMessage(): void {
    this.messages++;
  }

  /** Closes the interval that ends at `now` and returns its sample. */
  sample(now: number, health: readonly HealthRow[]): StatsSample {
    const seconds = this.lastAt === undefined ? 1 : Math.max(0.001, (now - this.lastAt) / 1000);
    const rate = (n: number): number => Math.round((n / seconds) * 10) / 10;
    const relists = health.reduce((sum, h) => sum + h.relists, 0);
    const sizes = this.batchSizes;
    const sample: StatsSample = {
      at: now,
      eventsPerSecond: Object.fromEntries(this.resources.map((r) => [r, rate(this.events.get(r) ?? 0)])),
      relists,
      relistsInInterval: Math.max(0, relists - this.lastRelists),
      batches: {
        count: sizes.length,
        averageSize: sizes.length === 0 ? 0 : Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
        maxSize: sizes.reduce((a, b) => Math.max(a, b), 0),
        lastSize: this.lastBatchSize,
      },
      messagesPerSecond: rate(this.messages),
      health,
    };
    this.lastAt = now;
    this.lastRelists = relists;
    this.events = new Map();
    this.batchSizes = [];
    this.messages = 0;
    this.samples.push(sample);
    if (this.samples.length > this.historySize) this.samples.shift();
    return sample;
  }

  /** The kept samples, oldest first. */
  history(): readonly StatsSample[] {
    return [...this.samples];
  }
}
