import { createHash } from 'node:crypto';
import type { ServedResource } from '../store/served-resource.js';

const QUERY_PARAMS = ['fieldValidation', 'fieldManager', 'dryRun', 'pretty'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', uniqueItems: true },
}));

/** The `/openapi/v3/…` path of a group version: `api/v1` or `apis/{group}/{version}`. */
export function openApiPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * A minimal OpenAPI v3 document for one group version: one path per resource whose PATCH
 * operation carries `x-kubernetes-group-version-kind` and the `fieldValidation` parameter.
 * That is what kubectl reads to decide the server validates fields itself (so it sends
 * `fieldValidation=Strict` instead of downloading schemas); it is not a schema of the objects.
 */
export function openApiDocument(resources: readonly ServedResource[], version: string): string {
  const paths: Record<string, unknown> = {};
  for (const { descriptor } of resources) {
    const prefix = descriptor.group
      ? `/apis/${descriptor.group}/${descriptor.version}`
      : `/api/${descriptor.version}`;
    const item = descriptor.namespaced
      ? `${prefix}/namespaces/{namespace}/${descriptor.plural}/{name}`
      : `${prefix}/${descriptor.plural}/{name}`;
    const gvk = { group: descriptor.group, version: descriptor.version, kind: descriptor.kind };
    const operation = (verb: string) => ({
      operationId: `${verb}${descriptor.kind}`,
      parameters: QUERY_PARAMS,
      'x-kubernetes-action': verb,
      'x-kubernetes-group-version-kind': gvk,
      responses: { '200': { description: 'OK' } },
    });
    paths[item] = {
      get: operation('get'),
      put: operation('put'),
      patch: operation('patch'),
      delete: operation('delete'),
    };
  }
  return JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: { schemas: {} },
  });
}

/** The `/openapi/v3` root: every group version with a content-hashed relative URL. */
export function openApiRoot(documents: ReadonlyMap<string, string>): string {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, document] of documents) {
    const hash = createHash('sha512').update(document).digest('hex').slice(0, 128).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return JSON.stringify({ paths });
}
