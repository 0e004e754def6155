import {
  WaitForTimeoutError,
  type Informer,
  type KubeObject,
  type ResourceDescriptor,
  type Write,
} from '@rxinformer/core';

/** How waiting for a reconcile's own writes ended. */
export type OwnWritesOutcome =
  | { readonly kind: 'visible' }
  /** The deadline passed before these writes showed; the key goes on anyway. */
  | { readonly kind: 'timed-out'; readonly late: readonly WaitForTimeoutError[] }
  /** Stopped, or the key was lost: no one waits for the answer. */
  | { readonly kind: 'cancelled' };

const sameResource = (a: ResourceDescriptor, b: ResourceDescriptor) =>
  a.group === b.group && a.plural === b.plural;

/**
 * The writes worth waiting for: the last one of each object (a later version implies the
 * earlier ones), in the order they were made.
 */
export function lastWrites(writes: readonly Write[]): Write[] {
  const last = new Map<string, Write>();
  for (const write of writes) {
    const id = `${write.resource.group}/${write.resource.plural}/${write.namespace ?? ''}/${write.name}`;
    last.delete(id);
    last.set(id, write);
  }
  return [...last.values()];
}

/**
 * Waits until every informer of the controller that caches a written object's resource shows
 * the write (client-go's expectations, for updates and deletes too), at most `timeoutMs`. An
 * informer that is not running (or stops meanwhile) is not waited for: when it starts, its
 * list shows the write anyway.
 */
export async function waitForOwnWrites(
  writes: readonly Write[],
  informers: readonly Informer<KubeObject>[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<OwnWritesOutcome> {
  const waits: Promise<WaitForTimeoutError | undefined>[] = [];
  for (const write of lastWrites(writes)) {
    for (const informer of informers) {
      if (!sameResource(informer.resource, write.resource)) continue;
      waits.push(
        informer.waitFor(write, { timeoutMs, signal }).then(
          () => undefined,
          (e: unknown) => (e instanceof WaitForTimeoutError ? e : undefined),
        ),
      );
    }
  }
  const late = (await Promise.all(waits)).filter((e): e is WaitForTimeoutError => e !== undefined);
  if (signal.aborted) return { kind: 'cancelled' };
  return late.length > 0 ? { kind: 'timed-out', late } : { kind: 'visible' };
}

/** Names a write in a log line: the object's key and version, never its content. */
export function describeWrite(write: Write): string {
  const key = write.namespace ? `${write.namespace}/${write.name}` : write.name;
  return `${write.resource.plural} ${key}${write.deleted ? ' (deleted)' : ''}@${write.resourceVersion ?? '?'}`;
}
