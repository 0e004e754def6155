import { fieldValue, parseFieldSelector as parseSelector, type ResourceDescriptor } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';
import { asBadRequest } from './selector-errors.js';

/** The selectable field values of one object, as strings (booleans as `true`/`false`). */
export type FieldSet = Readonly<Record<string, string>>;

type Getter = (object: Record<string, unknown>) => string;

/** The field at a dotted path; missing is the empty string. */
const at =
  (field: string): Getter =>
  (object) =>
    fieldValue(object, field) ?? '';

/** A boolean field as the server formats it: a missing one is `false`. */
const flag =
  (field: string): Getter =>
  (object) =>
    String(fieldValue(object, field) === 'true');

// Per-kind selectable fields, keyed by `group/plural`, as the real API server's field label
// conversion functions define them (metadata.name and metadata.namespace are always added).
// A field whose selector name is not its path (`source`, `status.successful`) is mapped here.
const FIELDS: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  '/pods': {
    'spec.nodeName': at('spec.nodeName'),
    'spec.restartPolicy': at('spec.restartPolicy'),
    'spec.schedulerName': at('spec.schedulerName'),
    'spec.serviceAccountName': at('spec.serviceAccountName'),
    'spec.hostNetwork': flag('spec.hostNetwork'),
    'status.phase': at('status.phase'),
    'status.podIP': at('status.podIP'),
    'status.nominatedNodeName': at('status.nominatedNodeName'),
  },
  '/events': {
    'involvedObject.kind': at('involvedObject.kind'),
    'involvedObject.namespace': at('involvedObject.namespace'),
    'involvedObject.name': at('involvedObject.name'),
    'involvedObject.uid': at('involvedObject.uid'),
    'involvedObject.apiVersion': at('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': at('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': at('involvedObject.fieldPath'),
    reason: at('reason'),
    reportingComponent: at('reportingComponent'),
    source: at('source.component'),
    type: at('type'),
  },
  '/nodes': { 'spec.unschedulable': flag('spec.unschedulable') },
  '/secrets': { type: at('type') },
  '/namespaces': { 'status.phase': at('status.phase') },
  '/replicationcontrollers': { 'status.replicas': at('status.replicas') },
  'apps/replicasets': { 'status.replicas': at('status.replicas') },
  'batch/jobs': { 'status.successful': at('status.succeeded') },
};

/**
 * Extracts and matches the fields a resource allows in `fieldSelector`.
 *
 * @example
 * ```ts
 * const fields = fieldsFor(Pods);
 * fields.extract(pod)['status.phase']; // 'Running'
 * ```
 */
export interface FieldExtractor {
  /** The selectable field names of this resource. */
  readonly names: ReadonlySet<string>;
  /** The selectable values of an object (metadata.name/namespace are read from metadata). */
  extract(object: Record<string, unknown>): FieldSet;
  /**
   * Whether an unknown field is refused in the generic registry's words (`"x" is not a known
   * field selector: only …`): built-ins without field label conversions, such as configmaps and
   * deployments. Pods, secrets and custom resources say `field label not supported: x`.
   */
  readonly genericErrors?: boolean;
}

const cache = new Map<string, FieldExtractor>();

/**
 * The field extractor of a resource, built once per `group/plural`.
 *
 * @example
 * ```ts
 * fieldsFor(Nodes).names.has('spec.unschedulable'); // true
 * ```
 */
export function fieldsFor(
  resource: Pick<ResourceDescriptor, 'group' | 'plural' | 'namespaced'>,
): FieldExtractor {
  const id = `${resource.group}/${resource.plural}`;
  let extractor = cache.get(id);
  if (extractor === undefined) {
    const getters = Object.entries(FIELDS[id] ?? {});
    const names = new Set([
      'metadata.name',
      ...(resource.namespaced ? ['metadata.namespace'] : []),
      ...getters.map(([n]) => n),
    ]);
    // Built-in groups: the core group, dotless groups (apps, batch) and *.k8s.io.
    const builtin =
      resource.group === '' || !resource.group.includes('.') || resource.group.endsWith('.k8s.io');
    extractor = {
      names,
      genericErrors: builtin && getters.length === 0,
      extract: (object) => {
        const set: Record<string, string> = {};
        for (const [name, get] of getters) set[name] = get(object);
        return set;
      },
    };
    cache.set(id, extractor);
  }
  return extractor;
}

/**
 * A parsed field selector, matched against the fields a stored version extracted.
 *
 * @example
 * ```ts
 * const selector = parseFieldSelector('status.phase!=Running', fieldsFor(Pods));
 * selector.matches('web-1', 'shop', { 'status.phase': 'Pending' }); // true
 * ```
 */
export interface FieldSelector {
  readonly empty: boolean;
  matches(name: string, namespace: string, fields: FieldSet): boolean;
}

// Resources with their own field label conversion (pods, secrets, …) answer in the old words;
// the generic registry of built-ins (configmaps, deployments) names the supported fields.
function unsupportedField(field: string, extractor: FieldExtractor): string {
  if (!extractor.genericErrors) return `field label not supported: ${field}`;
  return `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

/**
 * Parses a field selector for a resource (the parser is core's `parseFieldSelector`); throws a
 * `KubeStatusError` (400 BadRequest) for malformed terms and, as the server's field label
 * conversion does after parsing, for fields the resource does not support.
 *
 * @example
 * ```ts
 * parseFieldSelector('spec.nodeName=node-a', fieldsFor(Pods));
 * parseFieldSelector('spec.foo=1', fieldsFor(Pods)); // throws 400 field label not supported: spec.foo
 * ```
 */
export function parseFieldSelector(text: string | undefined, extractor: FieldExtractor): FieldSelector {
  const selector = asBadRequest(() => parseSelector(text));
  if (selector.empty) return { empty: true, matches: () => true };
  for (const { field } of selector.requirements) {
    if (!extractor.names.has(field)) throw StatusErrors.badRequest(unsupportedField(field, extractor));
  }
  return {
    empty: false,
    matches: (name, namespace, fields) =>
      selector.matchesValues((field) =>
        field === 'metadata.name' ? name : field === 'metadata.namespace' ? namespace : (fields[field] ?? ''),
      ),
  };
}
