import type { ResourceDescriptor } from '@rxinformer/core';
import { StatusErrors } from '../api/status.js';

/** The selectable field values of one object, as strings (booleans as `true`/`false`). */
export type FieldSet = Readonly<Record<string, string>>;

type Getter = (object: Record<string, unknown>) => unknown;

const path =
  (...segments: string[]): Getter =>
  (object) => {
    let current: unknown = object;
    for (const segment of segments) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };

// Per-kind selectable fields, keyed by `group/plural`, as the real API server's field label
// conversion functions define them (metadata.name and metadata.namespace are always added).
const FIELDS: Readonly<Record<string, Readonly<Record<string, Getter>>>> = {
  '/pods': {
    'spec.nodeName': path('spec', 'nodeName'),
    'spec.restartPolicy': path('spec', 'restartPolicy'),
    'spec.schedulerName': path('spec', 'schedulerName'),
    'spec.serviceAccountName': path('spec', 'serviceAccountName'),
    'spec.hostNetwork': (o) => path('spec', 'hostNetwork')(o) === true,
    'status.phase': path('status', 'phase'),
    'status.podIP': path('status', 'podIP'),
    'status.nominatedNodeName': path('status', 'nominatedNodeName'),
  },
  '/events': {
    'involvedObject.kind': path('involvedObject', 'kind'),
    'involvedObject.namespace': path('involvedObject', 'namespace'),
    'involvedObject.name': path('involvedObject', 'name'),
    'involvedObject.uid': path('involvedObject', 'uid'),
    'involvedObject.apiVersion': path('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': path('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': path('involvedObject', 'fieldPath'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: path('source', 'component'),
    type: path('type'),
  },
  '/nodes': { 'spec.unschedulable': (o) => path('spec', 'unschedulable')(o) === true },
  '/secrets': { type: path('type') },
  '/namespaces': { 'status.phase': path('status', 'phase') },
  '/replicationcontrollers': { 'status.replicas': path('status', 'replicas') },
  'apps/replicasets': { 'status.replicas': path('status', 'replicas') },
  'batch/jobs': { 'status.successful': path('status', 'succeeded') },
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
        for (const [name, get] of getters) {
          const value = get(object);
          set[name] = value === undefined || value === null ? '' : String(value);
        }
        return set;
      },
    };
    cache.set(id, extractor);
  }
  return extractor;
}

interface FieldRequirement {
  readonly field: string;
  readonly value: string;
  readonly negate: boolean;
}

/**
 * A parsed field selector: `field=value`, `field==value` and `field!=value` terms joined by commas.
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

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Splits on an unescaped separator. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] as string);
      i++;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Parses a field selector for a resource; throws a `KubeStatusError` (400 BadRequest) for
 * malformed terms and for fields the resource does not support (`field label not supported: x`).
 *
 * @example
 * ```ts
 * parseFieldSelector('spec.nodeName=node-a', fieldsFor(Pods));
 * parseFieldSelector('spec.foo=1', fieldsFor(Pods)); // throws 400 field label not supported: spec.foo
 * ```
 */
// Resources with their own field label conversion (pods, secrets, …) answer in the old words;
// the generic registry of built-ins (configmaps, deployments) names the supported fields.
function unsupportedField(field: string, extractor: FieldExtractor): string {
  if (!extractor.genericErrors) return `field label not supported: ${field}`;
  return `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`;
}

export function parseFieldSelector(text: string | undefined, extractor: FieldExtractor): FieldSelector {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { empty: true, matches: () => true };
  const requirements: FieldRequirement[] = [];
  for (const term of splitUnescaped(trimmed, ',')) {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (match === null)
      throw StatusErrors.badRequest(`invalid selector: '${trimmed}'; can't understand '${term}'`);
    const field = (match[1] ?? '').trim();
    if (!extractor.names.has(field)) throw StatusErrors.badRequest(unsupportedField(field, extractor));
    requirements.push({ field, value: unescape(match[3] ?? ''), negate: match[2] === '!=' });
  }
  return {
    empty: false,
    matches: (name, namespace, fields) => {
      for (const { field, value, negate } of requirements) {
        const actual =
          field === 'metadata.name'
            ? name
            : field === 'metadata.namespace'
              ? namespace
              : (fields[field] ?? '');
        if ((actual === value) === negate) return false;
      }
      return true;
    },
  };
}
