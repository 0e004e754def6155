import { Subject, type Observable } from 'rxjs';
import type { RequestInfo, Verb } from '../request/request-info.js';
import { matchesRequest, type RequestMatch } from '../request/request-match.js';

/**
 * One request the server received, for tests to count and inspect. `status` is 0 until the
 * response headers are sent (a watch's status is known as soon as it is established).
 *
 * @example
 * ```ts
 * const lists = server.requests.filter((r) => r.verb === 'list' && r.path === '/api/v1/pods');
 * expect(lists.map((r) => r.query['limit'])).toEqual(['500']);
 * ```
 */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly verb: Verb;
  readonly watch: boolean;
  readonly userAgent: string;
  /** `plural` or `plural.group` of the addressed resource, when there is one. */
  readonly resource: string | undefined;
  readonly namespace: string | undefined;
  readonly status: number;
  /** `Date.now()` when the request arrived. */
  readonly at: number;
}

interface MutableEntry extends RequestLogEntry {
  status: number;
}

/** The request log: an array to count, a stream to follow and a promise to await. */
export class RequestLog {
  private entries: MutableEntry[] = [];
  private readonly subject = new Subject<RequestLogEntry>();
  readonly requests$: Observable<RequestLogEntry> = this.subject.asObservable();
  private waiters: { match: RequestMatch | undefined; resolve: (entry: RequestLogEntry) => void }[] = [];

  get all(): readonly RequestLogEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }

  record(entry: MutableEntry, info: RequestInfo): MutableEntry {
    this.entries.push(entry);
    this.subject.next(entry);
    const ready = this.waiters.filter((w) => matchesRequest(w.match, info));
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const waiter of ready) waiter.resolve(entry);
    }
    return entry;
  }

  /** Resolves with the next request (arriving after this call) that matches. */
  next(match: RequestMatch | undefined, timeoutMs: number): Promise<RequestLogEntry> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no matching request within ${timeoutMs} ms: ${JSON.stringify(match ?? {}, (_k, v: unknown) => (v instanceof RegExp ? String(v) : v))}`,
          ),
        );
      }, timeoutMs);
      const waiter = {
        match,
        resolve: (entry: RequestLogEntry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      this.waiters.push(waiter);
    });
  }

  complete(): void {
    this.subject.complete();
  }
}
