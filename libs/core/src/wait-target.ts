import type { Write } from './client/write.js';
import type { InformerScope } from './informer.js';
import type { KubeObject } from './resources/kube-object.js';
import { resourceName, type ResourceDescriptor } from './resources/resource.js';
import { fieldValue, parseFieldSelector, type FieldSelector } from './selectors/field-selector.js';
import { parseLabelSelector, type LabelSelector } from './selectors/label-selector.js';

/**
 * One write as `waitFor` needs it: the write itself (a plain object is read as the write of
 * that object) and its cache key.
 *
 * @example
 * ```ts
 * const updatedConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'shop', name: 'web', resourceVersion: '15' } };
 * const { key, write } = waitTarget(updatedConfigMap, ConfigMaps); // 'shop/web', { resourceVersion: '15', ... }
 * ```
 */
export interface WaitTarget {
  readonly key: string;
  /** Its `resourceVersion` is always set unless it is a deletion. */
  readonly write: Write;
}

const describeResource = (r: Pick<ResourceDescriptor, 'plural' | 'apiVersion'>) =>
  `${r.plural} (${r.apiVersion})`;

function isWrite(value: Write | KubeObject): value is Write {
  const candidate = value as Partial<Write>;
  return typeof candidate.deleted === 'boolean' && typeof candidate.resource === 'object';
}

/**
 * Reads a {@link Write}, or a plain object meaning "this object at its resourceVersion", for an
 * informer of `resource`. Throws a TypeError for a write of another resource (compared by
 * group and plural; a plain object by group and kind when it has them), for one
 * without a name, and for a write that kept the object but has no resourceVersion to wait for.
 *
 * @example
 * ```ts
 * const updatedConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'shop', name: 'web', resourceVersion: '15' } };
 * waitTarget(updatedConfigMap, ConfigMaps).key; // 'shop/web'
 * waitTarget(updatedConfigMap, Pods); // throws TypeError: a ConfigMap (v1) cannot show in an informer of pods (v1)
 * ```
 */
export function waitTarget(given: Write | KubeObject, resource: ResourceDescriptor): WaitTarget {
  if (given === null || typeof given !== 'object') {
    throw new TypeError(`waitFor needs a Write or an object, not ${String(given)}`);
  }
  let write: Write;
  if (isWrite(given)) {
    // Versions of one resource share its resourceVersions: group and plural decide.
    if (given.resource.group !== resource.group || given.resource.plural !== resource.plural) {
      throw new TypeError(
        `waitFor: a write of ${describeResource(given.resource)} cannot show in an informer of ${describeResource(resource)}`,
      );
    }
    write = given;
  } else {
    const { apiVersion, kind } = given;
    // A metadata-only informer's own objects are PartialObjectMetadata of any resource.
    if (apiVersion && kind && kind !== 'PartialObjectMetadata') {
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      if (group !== resource.group || kind !== resource.kind) {
        throw new TypeError(
          `waitFor: a ${kind} (${apiVersion}) cannot show in an informer of ${describeResource(resource)}`,
        );
      }
    }
    const meta = given.metadata;
    write = {
      resource,
      namespace: meta?.namespace || undefined,
      name: meta?.name ?? '',
      uid: meta?.uid || undefined,
      resourceVersion: meta?.resourceVersion || undefined,
      deleted: false,
      object: given,
    };
  }
  if (!write.name) throw new TypeError(`waitFor: the ${resourceName(resource)} write names no object`);
  const key = write.namespace ? `${write.namespace}/${write.name}` : write.name;
  if (!write.deleted && !write.resourceVersion) {
    throw new TypeError(
      `waitFor: the ${resourceName(resource)} write of ${key} has no resourceVersion to wait for (pass the object the server returned)`,
    );
  }
  return { key, write };
}

/**
 * Which writes an informer can prove it will never cache as written: another namespace, or an
 * object outside its label or field selector. Selectors are parsed once, on first use; one that
 * does not parse proves nothing (the informer fails on it anyway).
 *
 * A field selector proves a mismatch only when every field it names is present on the object
 * as a string, number or boolean: the server's own field conversions (a boolean omitted when
 * false, `source` for `source.component`) would otherwise make a generic reading disagree.
 *
 * @example
 * ```ts
 * const scope = new WriteScope(Pods, { namespace: 'shop', labelSelector: 'app=web' });
 * const podInOtherNamespace = { metadata: { namespace: 'kube-system', name: 'dns-1', resourceVersion: '7' } };
 * scope.excludes(waitTarget(podInOtherNamespace, Pods)); // 'namespace'
 * ```
 */
export class WriteScope {
  private labels: LabelSelector | null | undefined;
  private fields: FieldSelector | null | undefined;

  constructor(
    private readonly resource: ResourceDescriptor,
    private readonly scope: Readonly<InformerScope>,
  ) {}

  /** Why the informer never caches the target as written, or undefined when it may. */
  excludes(target: WaitTarget): 'namespace' | 'selector' | undefined {
    const namespace = this.scope.namespace;
    const { write } = target;
    if (this.resource.namespaced && namespace && write.namespace !== namespace) return 'namespace';
    const object = write.object;
    if (write.deleted || object === undefined) return undefined;
    if (this.labels === undefined) this.labels = parsed(() => parseLabelSelector(this.scope.labelSelector));
    const labels = this.labels;
    if (labels && !labels.matches(object.metadata?.labels)) return 'selector';
    if (this.fields === undefined) this.fields = parsed(() => parseFieldSelector(this.scope.fieldSelector));
    const fields = this.fields;
    if (
      fields &&
      !fields.empty &&
      fields.requirements.every(({ field }) => fieldValue(object, field) !== undefined) &&
      !fields.matches(object)
    ) {
      return 'selector';
    }
    return undefined;
  }
}

function parsed<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}
