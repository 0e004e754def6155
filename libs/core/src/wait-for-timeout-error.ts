import type { Write } from './client/write.js';
import { RxInformerError } from './errors.js';
import { resourceName } from './resources/resource.js';

/**
 * `informer.waitFor(write)` gave up: the informer did not show the write within `timeoutMs`.
 * Transient: the write was accepted, the cache is behind (a slow or reconnecting watch, a
 * relist under way); waiting again, or re-reading from the server, can succeed. The message and
 * fields name the resource, the object, the resourceVersion awaited and the one processed.
 *
 * @example
 * ```ts
 * try {
 *   await informers.informer(ConfigMaps).waitFor(write);
 * } catch (e) {
 *   if (e instanceof WaitForTimeoutError) console.warn(e.objectKey, e.resourceVersion, e.processedResourceVersion);
 * }
 * ```
 */
export class WaitForTimeoutError extends RxInformerError {
  /** The write awaited; a plain object given to `waitFor` is here as the write of that object. */
  readonly write: Write;
  /** The resource, as `resourceName` spells it (`deployments.apps`). */
  readonly resource: string;
  /** The written object's key, `namespace/name` or `name`. */
  readonly objectKey: string;
  /** The resourceVersion awaited; undefined for a deletion whose writer knew none. */
  readonly resourceVersion: string | undefined;
  /** The highest resourceVersion the informer had processed; undefined before its first list. */
  readonly processedResourceVersion: string | undefined;
  readonly timeoutMs: number;
  constructor(details: {
    readonly write: Write;
    readonly objectKey: string;
    readonly processedResourceVersion: string | undefined;
    readonly timeoutMs: number;
  }) {
    const { write, objectKey, processedResourceVersion, timeoutMs } = details;
    const resource = resourceName(write.resource);
    const at = write.resourceVersion === undefined ? '' : ` at resourceVersion ${write.resourceVersion}`;
    const what = write.deleted ? `the deletion of ${objectKey}${at}` : `${objectKey}${at}`;
    const processed =
      processedResourceVersion === undefined ? 'nothing yet' : `resourceVersion ${processedResourceVersion}`;
    super(
      `waitFor timed out after ${timeoutMs} ms: the ${resource} informer has not shown ${what}; it has processed ${processed}`,
      { transient: true },
    );
    this.write = write;
    this.resource = resource;
    this.objectKey = objectKey;
    this.resourceVersion = write.resourceVersion;
    this.processedResourceVersion = processedResourceVersion;
    this.timeoutMs = timeoutMs;
  }
}
