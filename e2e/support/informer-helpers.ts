import type { Subscription } from 'rxjs';
import type { Informer, InformerEvent, KubeObject } from '@rxinformer/core';

/** Events of an informer, collected in order, with a way to wait for one. */
export interface EventLog<T extends KubeObject> {
  readonly events: InformerEvent<T>[];
  readonly subscription: Subscription;
  /** `TYPE name` per event (`SYNCED` alone), for readable assertions. */
  names(): string[];
  /** Resolves once an event matches; fails with what arrived so far after `timeoutMs`. */
  until(
    predicate: (e: InformerEvent<T>) => boolean,
    description: string,
    timeoutMs?: number,
  ): Promise<InformerEvent<T>>;
  /** Errors the stream ended with, if any. */
  readonly error: Promise<unknown>;
}

export const eventName = (e: InformerEvent): string =>
  e.type === 'SYNCED' ? 'SYNCED' : `${e.type} ${e.object.metadata?.name}`;

export function record<T extends KubeObject>(informer: Informer<T>): EventLog<T> {
  const events: InformerEvent<T>[] = [];
  const waiters: (() => void)[] = [];
  let fail!: (e: unknown) => void;
  const error = new Promise<unknown>((resolve) => (fail = resolve));
  const subscription = informer.events$.subscribe({
    next: (e) => {
      events.push(e);
      waiters.splice(0).forEach((w) => w());
    },
    error: (e: unknown) => {
      fail(e);
      waiters.splice(0).forEach((w) => w());
    },
  });
  const names = () => events.map((e) => eventName(e as InformerEvent));
  return {
    events,
    subscription,
    names,
    error,
    async until(predicate, description, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(
            `no event "${description}" within ${timeoutMs} ms; events so far: ${names().join(', ')}`,
          );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

/** Polls `check` until it returns true: for state nothing can be awaited on (another process's view). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let counter = 0;
/** A namespace name unique to this run (real namespaces stay Terminating after delete: never reuse). */
export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${counter++}`;
