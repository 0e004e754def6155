/**
 * How the bench drives a subject process (Node or Go): the run is given on the command line,
 * the subject prints JSON lines on stdout — `{"event":"synced"}` once its cache is synced, then
 * `{"result":{…}}` — and, for `relist`, waits for a `stop` line on stdin before its result.
 */

export const SUBJECTS = ['raw', 'rxinformer', 'rxinformer-watchlist', 'client-node', 'client-go'] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/** Variants of the rxinformer subject. */
export type MemoryMode = 'full' | 'stripped' | 'metadata';

export interface SubjectRun {
  readonly subject: SubjectName;
  readonly scenario: string;
  readonly kubeconfig: string;
  /** Objects the initial list holds. */
  readonly objects: number;
  /** MODIFIED events to wait for after sync (0: none). */
  readonly events: number;
  /** Event callbacks on the one informer (fanout). */
  readonly subscribers?: number;
  readonly memoryMode?: MemoryMode;
  /** rxinformer: the logging, metrics and batching chain between the informer and the subscriber. */
  readonly adapters?: boolean;
  /** rxinformer: factory options to try (A/B runs of a core change, e.g. `{ "freeze": false }`). */
  readonly factoryOptions?: { readonly freeze?: boolean };
  /** rxinformer: one more subscriber, batched and taking 500 ms per batch. */
  readonly slowSubscriber?: boolean;
}

/** What a subject measured. Fields that do not apply are absent. */
export interface SubjectResult {
  objects: number;
  sync_seconds: number;
  sync_cpu_s?: number;
  max_stall_ms?: number;
  heap_bytes?: number;
  heap_bytes_per_object?: number;
  peak_rss_bytes?: number;
  events?: number;
  seconds?: number;
  events_per_s?: number;
  cpu_s?: number;
  p50_ms?: number;
  p99_ms?: number;
  max_ms?: number;
  steady_rss_bytes?: number;
  relist_peak_rss_bytes?: number;
  steady_heap_bytes?: number;
  relist_peak_heap_bytes?: number;
  same_rv_updates?: number;
  slow_batches?: number;
  error?: string;
}

/** The annotation each MODIFIED event carries: the server's write time, epoch ms with µs. */
export const SENT_ANNOTATION = 'bench.rxinformer.dev/sent';
