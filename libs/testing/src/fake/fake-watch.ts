import {
  ConnectionError,
  DecodeError,
  type KubeObject,
  type KubeStatus as CoreStatus,
  type RequestContext,
  type WatchEvent,
} from '@rxinformer/core';
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import type { KubeStatus } from '../api/status.js';
import type { FaultableWatch } from '../faults/fault-injector.js';
import type { StoreEvent } from '../store/event-history.js';
import type { ServedResource } from '../store/served-resource.js';
import {
  atResourceVersion,
  decodeVersion,
  metadataJson,
  type StoredVersion,
} from '../store/stored-version.js';

/** What a fake watch asks of its cluster. */
export interface FakeWatchHost {
  readonly scheduler: SchedulerLike;
  isStalled(watch: FakeWatch): boolean;
  takeLineFault(watch: FakeWatch): 'cut' | 'malformed' | undefined;
  closed(watch: FakeWatch): void;
}

/** What one watch asked for. */
export interface FakeWatchSpec {
  readonly served: ServedResource;
  readonly namespace: string | undefined;
  readonly predicate: ((version: StoredVersion) => boolean) | undefined;
  readonly metadataOnly: boolean;
  readonly bookmarks: boolean;
  readonly context: RequestContext;
}

/**
 * One open watch of a fake cluster: the simulator's watch semantics (namespace and selector
 * filtering, an object that stops matching sent as DELETED, bookmarks, ERROR events) with each
 * event delivered as its own action on the cluster's scheduler, in order, so virtual time
 * decides when a subscriber sees it. Ends like the real server's: completes at its timeout or
 * after an ERROR event, errors with a `ConnectionError` when dropped.
 */
export class FakeWatch<T extends KubeObject = KubeObject> implements FaultableWatch {
  private finished = false;
  private held: (() => void)[] = [];
  private readonly pending = new Set<Subscription>();

  constructor(
    readonly spec: FakeWatchSpec,
    private readonly subscriber: Subscriber<WatchEvent<T>>,
    private readonly host: FakeWatchHost,
  ) {}

  get resource(): ServedResource['descriptor'] {
    return this.spec.served.descriptor;
  }

  get namespace(): string | undefined {
    return this.spec.namespace;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  private matches(version: StoredVersion): boolean {
    const { namespace, predicate } = this.spec;
    if (namespace !== undefined && version.namespace !== namespace) return false;
    return predicate === undefined || predicate(version);
  }

  private object(version: StoredVersion): T {
    const { served, metadataOnly } = this.spec;
    if (metadataOnly)
      return JSON.parse(
        `{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":${metadataJson(version)}}`,
      ) as T;
    return decodeVersion<T>(served.head, version);
  }

  /** Runs `deliver` as its own scheduler action (held back while the watch is stalled). */
  private enqueue(deliver: () => void): void {
    if (this.host.isStalled(this)) {
      this.held.push(deliver);
      return;
    }
    const action = this.host.scheduler.schedule(() => {
      this.pending.delete(action);
      if (!this.subscriber.closed) deliver();
    });
    this.pending.add(action);
  }

  private send(event: WatchEvent<T>): void {
    if (this.finished) return;
    const fault = this.host.takeLineFault(this);
    if (fault !== undefined) {
      // A cut or garbled line is what the transport reports as a DecodeError, ending the watch.
      const message =
        fault === 'cut' ? 'the watch stream ended in the middle of a line' : 'a watch line is not JSON';
      return this.terminate(() => this.subscriber.error(new DecodeError(message, '', this.spec.context)));
    }
    this.enqueue(() => this.subscriber.next(event));
  }

  /** The table listener: called for every committed change of the resource. */
  readonly onEvent = (event: StoreEvent): void => {
    const current = event.type === 'DELETED' ? false : this.matches(event.object);
    const previous = event.prev !== undefined && this.matches(event.prev);
    if (!current && !previous) return;
    const type = current && !previous ? 'ADDED' : current ? 'MODIFIED' : 'DELETED';
    // An object that stops matching goes out as DELETED with its previous content at the event's RV.
    const object =
      type === 'DELETED' && event.type !== 'DELETED'
        ? atResourceVersion(event.prev as StoredVersion, event.object.rv, true)
        : event.object;
    this.send({ type, object: this.object(object) });
  };

  /** Sends the current state as ADDED events. */
  added(objects: readonly StoredVersion[]): void {
    for (const version of objects) this.send({ type: 'ADDED', object: this.object(version) });
  }

  /** Sends a BOOKMARK at `rv` if the client allowed bookmarks (always for the initial-events end). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (!this.spec.bookmarks && !initialEventsEnd) return;
    const { kind, apiVersion } = this.spec.metadataOnly
      ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' }
      : this.spec.served.descriptor;
    const metadata = {
      resourceVersion: String(rv),
      ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
    };
    this.send({ type: 'BOOKMARK', object: { kind, apiVersion, metadata } as unknown as T });
  }

  /** Sends one ERROR event carrying `status`, then ends (a 410 for a too old resourceVersion). */
  fail(status: KubeStatus): void {
    this.send({ type: 'ERROR', object: status as unknown as CoreStatus });
    this.end();
  }

  /** Ends the watch cleanly after what is queued (the server's timeout). */
  end(): void {
    this.terminate(() => this.subscriber.complete());
  }

  /** Breaks the connection, as a dropped network would: the subscriber gets a `ConnectionError`. */
  destroy(): void {
    this.terminate(() =>
      this.subscriber.error(
        new ConnectionError('the watch connection was closed mid-stream', 'ECONNRESET', this.spec.context),
      ),
    );
  }

  /** A stall ended: deliver what was held back. */
  released(): void {
    if (this.host.isStalled(this)) return;
    const held = this.held;
    this.held = [];
    for (const deliver of held) this.enqueue(deliver);
  }

  /** Stops accepting events; `last` is delivered after everything already queued. */
  private terminate(last: () => void): void {
    if (this.finished) return;
    this.finished = true;
    this.host.closed(this);
    this.enqueue(last);
  }

  /** The subscriber went away: nothing more is delivered. */
  close(): void {
    this.finished = true;
    this.held = [];
    for (const action of this.pending) action.unsubscribe();
    this.pending.clear();
    this.host.closed(this);
  }
}
