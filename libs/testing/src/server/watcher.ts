import type { ServerResponse } from 'node:http';
import type { ResourceDescriptor } from '@rxinformer/core';
import type { KubeStatus } from '../api/status.js';
import type { FieldSelector } from '../selectors/field-selector.js';
import type { LabelSelector } from '../selectors/label-selector.js';
import type { StoreEvent } from '../store/event-history.js';
import type { ServedResource } from '../store/served-resource.js';
import { atResourceVersion, metadataJson, type StoredVersion } from '../store/stored-version.js';
import { writeChunks } from './respond.js';

/** What one watch request asked for. */
export interface WatchSpec {
  readonly served: ServedResource;
  readonly namespace: string | undefined;
  readonly labelSelector: LabelSelector;
  readonly fieldSelector: FieldSelector;
  readonly representation: 'object' | 'partial';
  readonly bookmarks: boolean;
  readonly bookmarkIntervalMs: number;
  /**
   * The resourceVersion the watch starts after. Like kube-apiserver's cache watcher, periodic
   * bookmarks are sent only once the resource's RV has moved past it (no news, no bookmark).
   */
  readonly startRv: number;
  readonly timeoutMs: number;
  readonly slowThresholdBytes: number;
}

/** What a watcher needs from its server. */
export interface WatcherHost {
  currentRv(): number;
  /** A one-shot fault for the next line: cut it and end the connection, or send garbage first. */
  takeLineFault(watcher: Watcher): 'cut' | 'malformed' | undefined;
  isStalled(watcher: Watcher): boolean;
  closed(watcher: Watcher, reason: WatchCloseReason): void;
}

/** Why a watch ended. */
export type WatchCloseReason = 'client' | 'timeout' | 'slow' | 'fault' | 'expired' | 'server';

const PARTIAL_HEAD = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":';

/**
 * One open watch: filters store events through its namespace and selectors (an object that
 * stops matching is sent as DELETED), frames them as `{"type":…,"object":…}\n` lines built once
 * per event and format, batches writes per tick, sends bookmarks, and ends on timeout, on a
 * fault, or when the client falls too far behind.
 */
export class Watcher {
  private pending: string[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private initializing = false;
  private finished = false;
  private endWhenReleased = false;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly res: ServerResponse,
    readonly spec: WatchSpec,
    private readonly host: WatcherHost,
  ) {
    res.on('close', () => this.finish('client'));
  }

  /** The watched resource (fault injection selects watches by it and by namespace). */
  get resource(): ResourceDescriptor {
    return this.spec.served.descriptor;
  }

  get namespace(): string | undefined {
    return this.spec.namespace;
  }

  /** Whether an object version is visible to this watch. */
  matches(version: StoredVersion): boolean {
    const { namespace, labelSelector, fieldSelector } = this.spec;
    if (namespace !== undefined && version.namespace !== namespace) return false;
    if (!labelSelector.empty && !labelSelector.matches(version.labels)) return false;
    return fieldSelector.empty || fieldSelector.matches(version.name, version.namespace, version.fields);
  }

  private objectJson(version: StoredVersion): string {
    return this.spec.representation === 'partial'
      ? `${PARTIAL_HEAD}${metadataJson(version)}}`
      : this.spec.served.head + version.body;
  }

  private line(type: string, version: StoredVersion): string {
    return `{"type":"${type}","object":${this.objectJson(version)}}\n`;
  }

  /** The store listener: called synchronously for every committed change of the resource. */
  readonly onEvent = (event: StoreEvent): void => {
    if (this.finished) return;
    const current = event.type === 'DELETED' ? false : this.matches(event.object);
    const previous = event.prev !== undefined && this.matches(event.prev);
    if (!current && !previous) return;
    const type = current && !previous ? 'ADDED' : current ? 'MODIFIED' : 'DELETED';
    // An object that stops matching goes out as DELETED with its previous content at the event's RV.
    const exit = type === 'DELETED' && event.type !== 'DELETED';
    const cacheKey = `${exit ? 'exit' : type}|${this.spec.representation}|${this.spec.served.head}`;
    let line = event.lines.get(cacheKey);
    if (line === undefined) {
      const object = exit
        ? atResourceVersion(event.prev as StoredVersion, event.object.rv, true)
        : event.object;
      line = this.line(type, object);
      event.lines.set(cacheKey, line);
    }
    this.enqueue(line);
  };

  private enqueue(line: string): void {
    const fault = this.host.takeLineFault(this);
    if (fault === 'cut') {
      this.push(line.slice(0, Math.max(1, line.length >> 1)));
      this.flush(true);
      this.finished = true;
      this.clearTimers();
      this.res.socket?.end();
      this.host.closed(this, 'fault');
      return;
    }
    if (fault === 'malformed') this.push('{"type":"MODIFIED","object":{"kind": this is not JSON\n');
    this.push(line);
    this.scheduleFlush();
  }

  private push(line: string): void {
    if (this.finished) return;
    this.pending.push(line);
    this.pendingBytes += line.length;
    // What waits to be written counts against the slow-watcher limit as much as the socket buffer.
    if (
      !this.initializing &&
      this.pendingBytes + this.res.writableLength > this.spec.slowThresholdBytes &&
      !this.host.isStalled(this)
    ) {
      this.end('slow');
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush(false);
    });
  }

  /** Writes everything pending in one chunk, unless stalled or still sending initial events. */
  flush(force: boolean): void {
    if (this.res.destroyed || this.res.writableEnded || this.pending.length === 0) return;
    if (!force && (this.initializing || this.host.isStalled(this))) return;
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // Lines are joined into chunks of about 1 MiB: few writes, no giant strings.
    let chunk = '';
    for (const line of pending) {
      chunk += line;
      if (chunk.length >= 1 << 20) {
        this.res.write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') this.res.write(chunk);
    if (this.res.writableLength > this.spec.slowThresholdBytes && !this.finished) {
      // The real server drops watchers that fall behind instead of buffering without bound.
      this.end('slow');
    }
  }

  /** Starts streaming: headers, then replayed history or initial events, then live events. */
  async start(initial: {
    events?: readonly StoreEvent[];
    objects?: readonly StoredVersion[];
    initialEventsEnd?: number;
  }): Promise<void> {
    this.res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.res.flushHeaders();
    this.armTimers();
    for (const event of initial.events ?? []) this.onEvent(event);
    if (initial.objects !== undefined) {
      this.initializing = true;
      const objects = initial.objects;
      const chunks = function* (watcher: Watcher): Generator<string> {
        let chunk = '';
        for (const object of objects) {
          chunk += watcher.line('ADDED', object);
          if (chunk.length > 256 * 1024) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk !== '') yield chunk;
      };
      const ok = await writeChunks(this.res, chunks(this));
      if (!ok || this.finished) return;
      if (initial.initialEventsEnd !== undefined)
        this.res.write(this.bookmarkLine(initial.initialEventsEnd, true));
      this.initializing = false;
      this.flush(false);
    }
  }

  private bookmarkLine(rv: number, initialEventsEnd = false): string {
    const { kind, apiVersion } =
      this.spec.representation === 'partial'
        ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' }
        : this.spec.served.descriptor;
    const annotations = initialEventsEnd ? ',"annotations":{"k8s.io/initial-events-end":"true"}' : '';
    return `{"type":"BOOKMARK","object":{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":{"resourceVersion":"${rv}"${annotations}}}}\n`;
  }

  private armTimers(): void {
    if (this.spec.bookmarks && this.spec.bookmarkIntervalMs > 0) {
      this.bookmarkTimer = setInterval(() => {
        if (this.finished || this.initializing || this.host.isStalled(this)) return;
        const rv = this.host.currentRv();
        if (rv <= this.spec.startRv) return;
        this.push(this.bookmarkLine(rv));
        this.scheduleFlush();
      }, this.spec.bookmarkIntervalMs);
    }
    if (this.spec.timeoutMs > 0)
      this.timeoutTimer = setTimeout(() => this.end('timeout'), this.spec.timeoutMs);
  }

  private clearTimers(): void {
    if (this.bookmarkTimer !== undefined) clearInterval(this.bookmarkTimer);
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
  }

  /** Ends the response cleanly after what is pending (held back while stalled). */
  end(reason: WatchCloseReason): void {
    if (this.finished) return;
    if (this.host.isStalled(this) && reason === 'timeout') {
      this.endWhenReleased = true;
      return;
    }
    this.flush(true);
    this.finish(reason);
    if (!this.res.destroyed) this.res.end();
  }

  /** Sends one ERROR event carrying a Status, then ends (a 410 for a too old resourceVersion). */
  fail(status: KubeStatus): void {
    this.push(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    this.end('expired');
  }

  /** Destroys the connection mid-stream, as a dropped network would. */
  destroy(reason: WatchCloseReason): void {
    this.finish(reason);
    this.res.socket?.destroy();
    this.res.destroy();
  }

  /** Called when a stall is released: sends what was held back. */
  released(): void {
    if (this.finished) return;
    this.flush(false);
    if (this.endWhenReleased) this.end('timeout');
  }

  private finish(reason: WatchCloseReason): void {
    if (this.finished) return;
    this.finished = true;
    this.clearTimers();
    this.host.closed(this, reason);
  }

  /** Bytes waiting to reach the client: queued lines plus the socket buffer. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.res.writableLength;
  }

  get isFinished(): boolean {
    return this.finished;
  }
}
