import type { ResourceDescriptor } from '@rxinformer/core';
import { KubeStatusError, StatusErrors } from '../api/status.js';
import type { RequestInfo } from '../request/request-info.js';
import { matchesRequest, type RequestMatch } from '../request/request-match.js';
import type { SeededRandom } from '../util/random.js';

/**
 * An HTTP failure to inject: the Status body is shaped like the real server's for the code
 * (429 TooManyRequests, 500 InternalError, 503 ServiceUnavailable, …) unless `reason`/`message` say otherwise.
 *
 * @example
 * ```ts
 * const failure: InjectedFailure = { code: 429, retryAfterSeconds: 2 };
 * ```
 */
export interface InjectedFailure {
  readonly code: number;
  readonly reason?: string;
  readonly message?: string;
  /** Sets `Retry-After` and `details.retryAfterSeconds`. */
  readonly retryAfterSeconds?: number;
}

/**
 * A fault that stays armed until used up or cancelled.
 *
 * @example
 * ```ts
 * const slow = server.faults.addLatency(100);
 * slow.cancel();
 * ```
 */
export interface FaultHandle {
  /** Requests still to fail (Infinity for latency, stalls and random failures). */
  readonly remaining: number;
  /** Disarms the fault (releases a stall). */
  cancel(): void;
}

/**
 * Selects watches for watch-level faults (and `watchCount`); an empty match selects every watch.
 *
 * @example
 * ```ts
 * server.faults.dropWatches({ resource: Pods, namespace: 'shop' });
 * ```
 */
export type WatchMatch = Pick<RequestMatch, 'resource' | 'namespace'>;

/**
 * Scriptable faults, as `server.faults`: failed requests, latency, dropped, cut, garbled and
 * stalled watches, compaction and restarts. Each takes effect on the next matching request or
 * watch write; random choices use the server's seeded PRNG.
 *
 * @example
 * ```ts
 * server.faults.failNext(1, { code: 503, retryAfterSeconds: 1 }, { verb: 'list' });
 * server.faults.dropWatches();
 * server.faults.compactHistory();
 * ```
 */
export interface FaultInjector {
  /** Fails the next `count` matching requests with `failure`. */
  failNext(count: number, failure: InjectedFailure, match?: RequestMatch): FaultHandle;
  /** Fails each matching request with probability `p` (seeded) until cancelled. */
  failRandomly(probability: number, failure: InjectedFailure, match?: RequestMatch): FaultHandle;
  /** Delays the first byte of every matching response by `ms` until cancelled. */
  addLatency(ms: number, match?: RequestMatch): FaultHandle;
  /** Destroys the sockets of every open (matching) watch mid-stream; returns how many. */
  dropWatches(match?: WatchMatch): number;
  /** The next line written to a matching watch is cut in half, then the connection ends. */
  cutNextWatchLine(match?: WatchMatch): void;
  /** The next write to a matching watch is preceded by a line that is not JSON. */
  sendMalformedWatchLine(match?: WatchMatch): void;
  /** Keeps matching watches (open and new) open but silent, no bookmarks, until `cancel()`. */
  stallWatches(match?: WatchMatch): FaultHandle;
  /** Forgets the event history now: a watch or continue from an earlier RV gets 410. Returns the current RV. */
  compactHistory(): string;
  /** Closes every connection and loses the event history (objects stay); same port unless `keepPort: false`. */
  restart(options?: { keepPort?: boolean }): Promise<void>;
  /** Disarms every fault. */
  clear(): void;
}

interface Armed {
  remaining: number;
  readonly match: RequestMatch | undefined;
}

/** What watch-level faults need of an open watch: what it watches, and two ways to act on it. */
export interface FaultableWatch {
  readonly resource: Pick<ResourceDescriptor, 'group' | 'plural'>;
  readonly namespace: string | undefined;
  /** Destroys the connection mid-stream, as a dropped network would. */
  destroy(reason: 'fault'): void;
  /** A stall ended: send what was held back. */
  released(): void;
}

/** What the injector needs from the server. */
export interface FaultHost {
  watchers(): Iterable<FaultableWatch>;
  compact(): string;
  restart(keepPort: boolean): Promise<void>;
}

/** The reason the real server gives with each status code. */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function statusOf(failure: InjectedFailure): KubeStatusError {
  const retry = failure.retryAfterSeconds;
  if (failure.reason === undefined && failure.message === undefined) {
    if (failure.code === 429) return StatusErrors.tooManyRequests(undefined, retry);
    if (failure.code === 503) return StatusErrors.serviceUnavailable(undefined, retry);
    if (failure.code === 500)
      return StatusErrors.custom(500, 'InternalError', 'Internal error occurred: injected fault', retry);
    if (failure.code === 504)
      return StatusErrors.custom(
        504,
        'Timeout',
        'Timeout: request did not complete within the allotted timeout',
        retry,
      );
  }
  return StatusErrors.custom(
    failure.code,
    failure.reason ?? REASONS[failure.code] ?? 'InternalError',
    failure.message ?? 'injected fault',
    retry,
  );
}

/** Whether a watch is selected by a {@link WatchMatch}. */
export function watchMatches(match: WatchMatch | undefined, watch: FaultableWatch): boolean {
  if (match === undefined) return true;
  const { resource } = watch;
  if (
    match.resource !== undefined &&
    (match.resource.group !== resource.group || match.resource.plural !== resource.plural)
  )
    return false;
  return match.namespace === undefined || match.namespace === watch.namespace;
}

/** The server's fault state and the hooks its request pipeline and watchers consult. */
export class Faults implements FaultInjector {
  private failures: (Armed & { readonly status: KubeStatusError; readonly probability: number })[] = [];
  private latencies: (Armed & { readonly ms: number })[] = [];
  private lineFaults: { kind: 'cut' | 'malformed'; match: WatchMatch | undefined }[] = [];
  private stalls: Armed[] = [];

  constructor(
    private readonly host: FaultHost,
    private readonly random: SeededRandom,
  ) {}

  private handle<T extends Armed>(list: T[], armed: T, onCancel?: () => void): FaultHandle {
    list.push(armed);
    return {
      get remaining() {
        return armed.remaining;
      },
      cancel: () => {
        const index = list.indexOf(armed);
        if (index >= 0) list.splice(index, 1);
        armed.remaining = 0;
        onCancel?.();
      },
    };
  }

  failNext(count: number, failure: InjectedFailure, match?: RequestMatch): FaultHandle {
    return this.handle(this.failures, { remaining: count, match, status: statusOf(failure), probability: 1 });
  }

  failRandomly(probability: number, failure: InjectedFailure, match?: RequestMatch): FaultHandle {
    return this.handle(this.failures, { remaining: Infinity, match, status: statusOf(failure), probability });
  }

  addLatency(ms: number, match?: RequestMatch): FaultHandle {
    return this.handle(this.latencies, { remaining: Infinity, match, ms });
  }

  dropWatches(match?: WatchMatch): number {
    let dropped = 0;
    for (const watcher of [...this.host.watchers()]) {
      if (!watchMatches(match, watcher)) continue;
      watcher.destroy('fault');
      dropped++;
    }
    return dropped;
  }

  cutNextWatchLine(match?: WatchMatch): void {
    this.lineFaults.push({ kind: 'cut', match });
  }

  sendMalformedWatchLine(match?: WatchMatch): void {
    this.lineFaults.push({ kind: 'malformed', match });
  }

  stallWatches(match?: WatchMatch): FaultHandle {
    const armed: Armed = { remaining: Infinity, match: match === undefined ? undefined : { ...match } };
    return this.handle(this.stalls, armed, () => {
      for (const watcher of [...this.host.watchers()]) watcher.released();
    });
  }

  compactHistory(): string {
    return this.host.compact();
  }

  restart(options: { keepPort?: boolean } = {}): Promise<void> {
    return this.host.restart(options.keepPort ?? true);
  }

  clear(): void {
    this.failures = [];
    this.latencies = [];
    this.lineFaults = [];
    const stalled = this.stalls.length > 0;
    this.stalls = [];
    if (stalled) for (const watcher of [...this.host.watchers()]) watcher.released();
  }

  /** The latency to add and the failure to answer with, for a request about to be served. */
  beforeRequest(info: RequestInfo): { delayMs: number; failure: KubeStatusError | undefined } {
    let delayMs = 0;
    for (const latency of this.latencies) if (matchesRequest(latency.match, info)) delayMs += latency.ms;
    let failure: KubeStatusError | undefined;
    for (const armed of this.failures) {
      if (armed.remaining <= 0 || !matchesRequest(armed.match, info)) continue;
      if (armed.probability < 1 && this.random.next() >= armed.probability) continue;
      armed.remaining--;
      failure = armed.status;
      break;
    }
    this.failures = this.failures.filter((armed) => armed.remaining > 0);
    return { delayMs, failure };
  }

  takeLineFault(watcher: FaultableWatch): 'cut' | 'malformed' | undefined {
    const index = this.lineFaults.findIndex((fault) => watchMatches(fault.match, watcher));
    if (index < 0) return undefined;
    const [fault] = this.lineFaults.splice(index, 1);
    return fault?.kind;
  }

  isStalled(watcher: FaultableWatch): boolean {
    return this.stalls.some((stall) => watchMatches(stall.match as WatchMatch | undefined, watcher));
  }
}
