import { apiErrorFor, type KubeStatus as CoreStatus, type RequestContext } from '@rxinformer/core';
import { Observable, type SchedulerLike, type Subscriber, type TeardownLogic } from 'rxjs';
import { qualifiedResource, toStatusError } from '../api/status.js';
import type { Faults } from '../faults/fault-injector.js';
import type { RequestInfo } from '../request/request-info.js';
import type { FakeRequest } from './fake-request.js';

/** Where a request goes, besides what fault injection matches on. */
export interface FakeRequestTarget {
  readonly info: RequestInfo;
  readonly context: RequestContext;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  readonly query: URLSearchParams;
}

/**
 * What every request to a fake cluster goes through: it is recorded, injected latency and
 * failures apply (the simulator's `Faults`), and it is answered as an action on the cluster's
 * scheduler, with a failure as core's typed error carrying the Status (`apiErrorFor`).
 */
export class FakePipeline {
  readonly requests: FakeRequest[] = [];

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly faults: Faults,
  ) {}

  private record(target: FakeRequestTarget): FakeRequest {
    const { info } = target;
    const entry: FakeRequest = {
      verb: info.verb,
      resource: info.resource === undefined ? '' : qualifiedResource(info.resource),
      namespace: info.namespace,
      name: target.name,
      subresource: target.subresource,
      query: Object.fromEntries(target.query),
      at: this.scheduler.now(),
      code: 0,
    };
    this.requests.push(entry);
    return entry;
  }

  private fail(
    entry: FakeRequest,
    error: unknown,
    context: RequestContext,
    subscriber: Subscriber<unknown>,
  ): void {
    const { status } = toStatusError(error);
    entry.code = status.code;
    const retryAfter = status.details?.retryAfterSeconds;
    subscriber.error(
      apiErrorFor(
        status as unknown as CoreStatus,
        context,
        retryAfter === undefined ? undefined : retryAfter * 1000,
      ),
    );
  }

  /** One request, one answer: `handler` runs when the answer is due and returns its code and body. */
  answer<R>(
    target: FakeRequestTarget,
    handler: () => { readonly code: number; readonly body: R },
  ): Observable<R> {
    return new Observable<R>((subscriber) => {
      const entry = this.record(target);
      const { delayMs, failure } = this.faults.beforeRequest(target.info);
      const action = this.scheduler.schedule(() => {
        let answer: { readonly code: number; readonly body: R };
        try {
          if (failure !== undefined) throw failure;
          answer = handler();
        } catch (e) {
          return this.fail(entry, e, target.context, subscriber);
        }
        entry.code = answer.code;
        subscriber.next(answer.body);
        subscriber.complete();
      }, delayMs);
      return () => action.unsubscribe();
    });
  }

  /** A streaming request (a watch): `open` starts it when due and returns its teardown. */
  stream<R>(target: FakeRequestTarget, open: (subscriber: Subscriber<R>) => TeardownLogic): Observable<R> {
    return new Observable<R>((subscriber) => {
      const entry = this.record(target);
      const { delayMs, failure } = this.faults.beforeRequest(target.info);
      let teardown: TeardownLogic;
      const action = this.scheduler.schedule(() => {
        try {
          if (failure !== undefined) throw failure;
          entry.code = 200;
          teardown = open(subscriber);
        } catch (e) {
          this.fail(entry, e, target.context, subscriber);
        }
      }, delayMs);
      return () => {
        action.unsubscribe();
        if (typeof teardown === 'function') teardown();
        else teardown?.unsubscribe();
      };
    });
  }
}
