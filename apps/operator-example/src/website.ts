import { defineResource, type KubeObject } from '@rxinformer/core';

/**
 * A `Website` (group `example.com`, version `v1`): a message served by `replicas` web servers.
 *
 * @example
 * ```ts
 * const site: Website = { apiVersion: 'example.com/v1', kind: 'Website', metadata: { name: 'hello', namespace: 'default' }, spec: { message: 'Hi', replicas: 2 } };
 * ```
 */
export interface Website extends KubeObject {
  spec?: { message?: string; replicas?: number };
  status?: { observedGeneration?: number; ready?: boolean };
}

/**
 * The descriptor of Websites, for informers.
 *
 * @example
 * ```ts
 * const websites = informers.informer(Websites, { namespace: 'default' });
 * ```
 */
export const Websites = defineResource<Website>({
  group: 'example.com',
  version: 'v1',
  plural: 'websites',
  kind: 'Website',
  namespaced: true,
});

/**
 * The CustomResourceDefinition of Websites, with a status subresource.
 *
 * @example
 * ```ts
 * const apiextensions = kc.makeApiClient(ApiextensionsV1Api);
 * await apiextensions.createCustomResourceDefinition({ body: websiteCrd });
 * ```
 */
export const websiteCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'websites.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'websites', singular: 'website', kind: 'Website', shortNames: ['ws'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['message'],
                properties: {
                  message: { type: 'string' },
                  replicas: { type: 'integer', minimum: 0, default: 1 },
                },
              },
              status: {
                type: 'object',
                properties: { observedGeneration: { type: 'integer' }, ready: { type: 'boolean' } },
              },
            },
          },
        },
      },
    ],
  },
};
