import type { MemoryMode } from './protocol.js';

/** An object as every subject sees it: enough to key it and read the bench annotation. */
export interface PodLike {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
}

/** The callbacks a subject adapter calls, once per subscriber and event. */
export interface Subscriber {
  added(object: PodLike): void;
  modified(object: PodLike): void;
  deleted(object: PodLike): void;
}

export interface AdapterOptions {
  readonly kubeconfig: string;
  /** The first subscriber measures; the others only count (fanout). */
  readonly subscribers: readonly Subscriber[];
  readonly memoryMode: MemoryMode;
  readonly adapters: boolean;
  readonly slowSubscriber: boolean;
  readonly factoryOptions: { readonly freeze?: boolean };
}

/** A running informer of one subject. */
export interface AdapterHandle {
  readonly synced: Promise<void>;
  size(): number;
  /** Batches the slow subscriber has finished (slow-subscriber scenario). */
  slowBatches?(): number;
  stop(): Promise<void> | void;
}

export type Adapter = (options: AdapterOptions) => Promise<AdapterHandle> | AdapterHandle;
