import type { FieldExtractor, FieldSet } from '../selectors/field-selector.js';

/**
 * One immutable version of one object as the simulator stores it: serialized once, with the
 * offsets and the few fields selectors and writes need, so responses are built by slicing and
 * concatenating strings instead of re-serializing.
 *
 * `body` is the object's JSON without its opening `{` and its type meta:
 * `"metadata":{"name":…,"resourceVersion":"12",…},"spec":{…},"status":{…}}`.
 * Prefix it with `{"kind":"Pod","apiVersion":"v1",` for a full object, or with `{` for a list item.
 */
export interface StoredVersion {
  readonly rv: number;
  readonly key: string;
  readonly name: string;
  /** `''` for cluster-scoped objects. */
  readonly namespace: string;
  readonly uid: string;
  /** `undefined` for resources without `metadata.generation`. */
  readonly generation: number | undefined;
  readonly creationTimestamp: string;
  readonly deletionTimestamp: string | undefined;
  readonly hasFinalizers: boolean;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly fields: FieldSet;
  readonly body: string;
  /** `body.slice(METADATA_START, metaEnd)` is the metadata JSON. */
  readonly metaEnd: number;
  /** `body.slice(metaEnd, specEnd)` is every field but metadata and status (what bumps generation). */
  readonly specEnd: number;
  /** `body.slice(rvStart, rvEnd)` is the decimal resourceVersion. */
  readonly rvStart: number;
  readonly rvEnd: number;
  /** A tombstone: the final state of a deleted object, kept while its RV is in the history window. */
  readonly deleted: boolean;
}

/** Offset of the metadata JSON in `body` (after `"metadata":`). */
export const METADATA_START = 11;

/** Server-managed metadata written into every version. */
export interface ManagedMetadata {
  readonly uid: string;
  /** A number, or computed from the serialized spec part (to bump it only when that changed). */
  readonly generation: number | undefined | ((spec: string) => number);
  readonly creationTimestamp: string;
}

type Json = Record<string, unknown>;

// JSON of values known to be immutable (shared workload templates), serialized once.
const jsonCache = new WeakMap<object, string>();

/**
 * Deep-freezes a value and remembers its JSON, so objects embedding it (as a top-level field or
 * a metadata field) serialize it by concatenation. Package-internal: for the workload generator.
 */
export function immutableJson<T extends object>(value: T): T {
  const freeze = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
    Object.freeze(v);
    for (const child of Object.values(v)) freeze(child);
  };
  freeze(value);
  jsonCache.set(value, JSON.stringify(value));
  return value;
}

/** JSON.stringify for a plain object, splicing in cached JSON of immutable field values. */
function stringifyObject(object: Json): string {
  let cached = false;
  for (const key in object) {
    const value = object[key];
    if (value !== null && typeof value === 'object' && jsonCache.has(value)) {
      cached = true;
      break;
    }
  }
  if (!cached) return JSON.stringify(object);
  let out = '';
  for (const key in object) {
    const value = object[key];
    const json =
      value !== null && typeof value === 'object'
        ? (jsonCache.get(value) ?? JSON.stringify(value))
        : JSON.stringify(value);
    if (json === undefined) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${json}`;
  }
  return `{${out}}`;
}

/**
 * Serializes an object into a {@link StoredVersion}. Never mutates `object`: its metadata is
 * copied shallowly, in the key order the API server writes (name, generateName, namespace, uid,
 * resourceVersion, generation, creationTimestamp, then the rest).
 */
export function encodeVersion(
  object: Json,
  key: string,
  rv: number,
  managed: ManagedMetadata,
  fields: FieldExtractor,
): StoredVersion {
  const meta = (object['metadata'] ?? {}) as Json;
  const { apiVersion: _a, kind: _k, metadata: _m, status, ...spec } = object;
  const specJson = stringifyObject(spec);
  const specPart = specJson.length > 2 ? `,${specJson.slice(1, -1)}` : '';
  const generation =
    typeof managed.generation === 'function' ? managed.generation(specPart) : managed.generation;
  const {
    name,
    generateName,
    namespace,
    uid: _uid,
    resourceVersion: _rv,
    generation: _g,
    creationTimestamp: _c,
    ...after
  } = meta;
  const before = JSON.stringify({ name, generateName, namespace, uid: managed.uid });
  const rvText = String(rv);
  const rest = stringifyObject({ generation, creationTimestamp: managed.creationTimestamp, ...after });
  const rvStart = METADATA_START + before.length - 1 + ',"resourceVersion":"'.length;
  let body = `"metadata":${before.slice(0, -1)},"resourceVersion":"${rvText}",${rest.slice(1)}`;
  const metaEnd = body.length;
  body += specPart;
  const specEnd = body.length;
  if (status !== undefined) body += `,"status":${JSON.stringify(status)}`;
  body += '}';
  const labels = meta['labels'];
  const finalizers = after['finalizers'];
  const deletionTimestamp = after['deletionTimestamp'];
  return {
    rv,
    key,
    name: String(name ?? ''),
    namespace: typeof namespace === 'string' ? namespace : '',
    uid: managed.uid,
    generation,
    creationTimestamp: managed.creationTimestamp,
    deletionTimestamp: typeof deletionTimestamp === 'string' ? deletionTimestamp : undefined,
    hasFinalizers: Array.isArray(finalizers) && finalizers.length > 0,
    labels:
      labels !== null && typeof labels === 'object' ? { ...(labels as Record<string, string>) } : undefined,
    fields: fields.extract(object),
    body,
    metaEnd,
    specEnd,
    rvStart,
    rvEnd: rvStart + rvText.length,
    deleted: false,
  };
}

/** The same content at another resourceVersion (a deletion's final state), by string splicing. */
export function atResourceVersion(version: StoredVersion, rv: number, deleted: boolean): StoredVersion {
  const rvText = String(rv);
  const delta = rvText.length - (version.rvEnd - version.rvStart);
  return {
    ...version,
    rv,
    deleted,
    body: version.body.slice(0, version.rvStart) + rvText + version.body.slice(version.rvEnd),
    metaEnd: version.metaEnd + delta,
    specEnd: version.specEnd + delta,
    rvEnd: version.rvEnd + delta,
  };
}

/** True when two versions differ only in their resourceVersion (a no-op write). */
export function sameContent(a: StoredVersion, b: StoredVersion): boolean {
  return (
    a.body.length - a.rvEnd === b.body.length - b.rvEnd &&
    a.body.slice(0, a.rvStart) === b.body.slice(0, b.rvStart) &&
    a.body.slice(a.rvEnd) === b.body.slice(b.rvEnd)
  );
}

/** True when `spec` equals the serialized fields other than metadata and status (what bumps `metadata.generation`). */
export function sameSpec(version: StoredVersion, spec: string): boolean {
  return spec.length === version.specEnd - version.metaEnd && version.body.startsWith(spec, version.metaEnd);
}

/** The metadata JSON of a version. */
export function metadataJson(version: StoredVersion): string {
  return version.body.slice(METADATA_START, version.metaEnd);
}

/** Parses a version back into an object, with the given type meta head (`{"kind":…,"apiVersion":…,`). */
export function decodeVersion<T>(head: string, version: StoredVersion): T {
  return JSON.parse(head + version.body) as T;
}
