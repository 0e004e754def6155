/**
 * The free names the ```ts examples of the READMEs and TSDoc share, with the types a reader
 * would assume: a kubeconfig `kc`, an informer factory `informers`, a pod informer `pods`, …
 * Only names that many examples use belong here; an example that needs anything else declares
 * it itself (`declare const report: UnhealthyReport;`). Compiled against the built packages by
 * `tools/examples/src/check-examples.ts`, never by the workspace typecheck.
 */
import type { KubeConfig, V1ConfigMap, V1Deployment, V1Node, V1Pod, V1Secret } from '@kubernetes/client-node';
import type {
  InformerEvent,
  Informer,
  InformerFactory,
  KubeClient,
  KubeObject,
  KubeTransport,
  Logger,
  ResourceClient,
  ResourceDescriptor,
  Wire,
  Write,
} from '@rxinformer/core';
import type { Controller, LeaderElector } from '@rxinformer/controller';
import type { InformerMetrics } from '@rxinformer/metrics';
import type { KubeApiServer } from '@rxinformer/testing';
import type { Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';

declare global {
  /** The custom resource the examples use: `example.com/v1` Website, as the operator example defines it. */
  interface Website extends KubeObject {
    spec?: { message?: string; replicas?: number };
    status?: { observedGeneration?: number; ready?: boolean };
  }

  // Connections.
  const kc: KubeConfig;
  const informers: InformerFactory;
  const client: KubeClient;
  const transport: KubeTransport;
  /** The simulator of `@rxinformer/testing`. */
  const server: KubeApiServer;
  const logger: Logger;
  const registry: Registry;
  /** A write a client call made, as `client.withRecorder` reports it. */
  const write: Write;
  const metrics: InformerMetrics;
  /** The scheduler of a test in virtual time (any `SchedulerLike` would do elsewhere). */
  const scheduler: TestScheduler;
  /** A controller of `@rxinformer/controller`, and a leader election. */
  const c: Controller;
  const elector: LeaderElector;

  // Informers, resource clients and what they carry.
  const Websites: ResourceDescriptor<Website>;
  const pods: Informer<Wire<V1Pod>>;
  const nodes: Informer<Wire<V1Node>>;
  const deployments: Informer<Wire<V1Deployment>>;
  const secrets: Informer<Wire<V1Secret>>;
  const websites: Informer<Website>;
  const configMaps: ResourceClient<Wire<V1ConfigMap>>;
  const events$: Observable<InformerEvent<Wire<V1Pod>>>;
  const event: InformerEvent<Wire<V1Pod>>;
  const pod: Wire<V1Pod>;
  /** The object a write sends. */
  const desired: Wire<V1ConfigMap>;
  /** An object key, `namespace/name`. */
  const key: string;
  /** Whatever a `catch` or an `error` callback received. */
  const err: unknown;

  // The user's own code the examples hand values to.
  function handle(value: unknown): void;
  function render(value: unknown): void;
  function notify(value: unknown): void;
  function alert(message: unknown): void;
  function save(event: InformerEvent<Wire<V1Pod>>): Promise<void>;
  function reconcile(value: unknown): Promise<void>;
}
