import {
  Counter,
  Gauge,
  Histogram,
  type OpenMetricsContentType,
  type PrometheusContentType,
  type Registry,
} from 'prom-client';

/**
 * A prom-client registry of either content type: the one the metrics are registered on.
 * Never the global one unless you pass `register` yourself.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry: MetricsRegistry = new Registry();
 * ```
 *
 * @see {@link informerMetrics}
 */
export type MetricsRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

interface Spec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
}

/** The metric already registered under `spec.name`, if it is of the type and labels asked for. */
function existing<M>(
  registry: MetricsRegistry,
  spec: Spec<string>,
  type: abstract new (...args: never[]) => M,
): M | undefined {
  const metric: unknown = registry.getSingleMetric(spec.name);
  if (metric === undefined) return undefined;
  const labels = (metric as { labelNames?: readonly string[] }).labelNames ?? [];
  if (!(metric instanceof type) || labels.join() !== spec.labelNames.join()) {
    throw new TypeError(
      `metric ${spec.name} is already registered with another type or labels (${labels.join(', ')})`,
    );
  }
  return metric;
}

/** The counter registered under this name, created on first use: asking twice never throws. */
export function counter<L extends string>(
  registry: MetricsRegistry,
  spec: Spec<L> & { readonly collect?: (this: Counter<L>) => void },
): Counter<L> {
  return existing(registry, spec, Counter<L>) ?? new Counter<L>({ ...spec, registers: [registry] });
}

/** The gauge registered under this name, created on first use; `collect` runs on each scrape. */
export function gauge<L extends string>(
  registry: MetricsRegistry,
  spec: Spec<L> & { readonly collect?: (this: Gauge<L>) => void },
): Gauge<L> {
  return existing(registry, spec, Gauge<L>) ?? new Gauge<L>({ ...spec, registers: [registry] });
}

/** The histogram registered under this name, created on first use with these buckets. */
export function histogram<L extends string>(
  registry: MetricsRegistry,
  spec: Spec<L> & { readonly buckets: readonly number[] },
): Histogram<L> {
  return (
    existing(registry, spec, Histogram<L>) ??
    new Histogram<L>({ ...spec, buckets: [...spec.buckets], registers: [registry] })
  );
}

/** `count` buckets from `start`, each `factor` times the last, written as exact decimals. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}
