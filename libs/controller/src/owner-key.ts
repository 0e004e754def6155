import type { KubeObject, ResourceDescriptor } from '@rxinformer/core';

/**
 * The keys of the controlling owners of `object` that are of `owner`'s kind: its
 * ownerReferences with `controller: true` whose kind matches and whose apiVersion is in the
 * same group (any version, as controller-runtime's `EnqueueRequestForOwner` with `OnlyControllerOwner`).
 * Owners are in the object's namespace (or cluster-scoped).
 *
 * @example
 * ```ts
 * const deployment = {
 *   metadata: { name: 'my-site', namespace: 'shop', ownerReferences: [
 *     { apiVersion: 'example.com/v1', kind: 'Website', name: 'my-site', uid: 'a1b2', controller: true },
 *   ] },
 * };
 * controllerOwnerKeys(deployment, Websites); // ['shop/my-site']
 * ```
 */
export function controllerOwnerKeys(object: KubeObject, owner: ResourceDescriptor): string[] {
  const namespace = owner.namespaced ? object.metadata?.namespace : undefined;
  const keys: string[] = [];
  for (const ref of object.metadata?.ownerReferences ?? []) {
    if (!ref.controller || ref.kind !== owner.kind) continue;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
    if (group !== owner.group) continue;
    keys.push(namespace ? `${namespace}/${ref.name}` : ref.name);
  }
  return keys;
}
