import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { ConfigMaps, ConflictError, Deployments, type Informer, type Wire } from '@rxinformer/core';
import type { ReconcileRequest, Reconciler } from '@rxinformer/controller';
import { Websites, type Website } from './website.js';

/**
 * What the Website reconciler reads: the caches of the objects it owns. It writes through the
 * request's client, so the controller holds a key back until these caches show its writes.
 *
 * @example
 * ```ts
 * const configMaps = informers.informer(ConfigMaps);
 * const deps: WebsiteReconcilerDeps = { configMaps, deployments };
 * ```
 */
export interface WebsiteReconcilerDeps {
  configMaps: Informer<Wire<V1ConfigMap>>;
  deployments: Informer<Wire<V1Deployment>>;
  /** Told what each reconcile changed (default: nothing). */
  report?: (key: string, changes: readonly string[]) => void;
}

/**
 * Reconciles a Website into a ConfigMap `<name>-content` (data `index.html` = the message) and a
 * Deployment `<name>` (`spec.replicas`, pods roll when the message changes), both owned by the
 * Website (ownerReferences `controller: true`, so deleting the Website deletes them), then writes
 * `status.observedGeneration` and `status.ready` (the Deployment's ready replicas reached the
 * desired count). Reads come from the informers' caches, writes go through `request.client`
 * with the cached resourceVersion: read-your-writes makes sure the next reconcile of a key sees
 * this one's writes, so a 409 means someone else changed the object, and the key runs again.
 *
 * @example
 * ```ts
 * const configMaps = informers.informer(ConfigMaps);
 * controller({ name: 'website', for: websites, owns: [configMaps, deployments], reconcile: websiteReconciler({ configMaps, deployments }) });
 * ```
 */
export function websiteReconciler(deps: WebsiteReconcilerDeps): Reconciler<Website> {
  return async ({ key, name, namespace, object: site, signal, client }: ReconcileRequest<Website>) => {
    if (!site || site.metadata?.deletionTimestamp || !namespace) return; // owned objects are garbage-collected
    const configMaps = client.resource(ConfigMaps, { namespace });
    const deployments = client.resource(Deployments, { namespace });
    const websites = client.resource(Websites, { namespace });
    const changes: string[] = [];
    const message = site.spec?.message ?? '';
    const replicas = site.spec?.replicas ?? 1;
    const owner = {
      apiVersion: 'example.com/v1',
      kind: 'Website',
      name,
      uid: site.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
    const labels = { 'app.kubernetes.io/name': 'website', 'app.kubernetes.io/instance': name };
    const ownedMeta = (objectName: string, resourceVersion?: string) => ({
      name: objectName,
      namespace,
      labels,
      ownerReferences: [owner],
      ...(resourceVersion ? { resourceVersion } : {}),
    });

    const cmName = `${name}-content`;
    const cm = deps.configMaps.store.get(`${namespace}/${cmName}`);
    if (!cm || cm.data?.['index.html'] !== message || !ownedBy(cm, owner.uid)) {
      const body = {
        metadata: ownedMeta(cmName, cm?.metadata?.resourceVersion),
        data: { 'index.html': message },
      };
      if (signal.aborted) return;
      if (cm) await configMaps.update(body, { signal });
      else await configMaps.create(body, { signal });
      changes.push(cm ? 'configmap updated' : 'configmap created');
    }

    const hash = createHash('sha256').update(message).digest('hex').slice(0, 16);
    const deployment = deps.deployments.store.get(`${namespace}/${name}`);
    const current = deployment?.spec;
    if (
      !deployment ||
      current?.replicas !== replicas ||
      current.template.metadata?.annotations?.['example.com/message-hash'] !== hash ||
      !ownedBy(deployment, owner.uid)
    ) {
      const podLabels = { ...labels };
      const body = {
        metadata: ownedMeta(name, deployment?.metadata?.resourceVersion),
        spec: {
          replicas,
          selector: { matchLabels: podLabels },
          template: {
            metadata: { labels: podLabels, annotations: { 'example.com/message-hash': hash } },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  ports: [{ containerPort: 80 }],
                  volumeMounts: [{ name: 'content', mountPath: '/usr/share/nginx/html' }],
                },
              ],
              volumes: [{ name: 'content', configMap: { name: cmName } }],
            },
          },
        },
      };
      if (signal.aborted) return;
      if (deployment) await deployments.update(body, { signal });
      else await deployments.create(body, { signal });
      changes.push(deployment ? 'deployment updated' : 'deployment created');
    }

    const ready =
      (deployment?.status?.readyReplicas ?? 0) >= replicas && deployment?.spec?.replicas === replicas;
    const generation = site.metadata?.generation ?? 0;
    if (site.status?.observedGeneration !== generation || site.status?.ready !== ready) {
      if (signal.aborted) return;
      try {
        await websites.updateStatus(
          { ...site, status: { observedGeneration: generation, ready } },
          { signal },
        );
      } catch (error) {
        // Only another writer can have changed the Website since the cache showed it: read again.
        if (error instanceof ConflictError) return { requeue: true };
        throw error;
      }
      changes.push(`status ready=${ready} observedGeneration=${generation}`);
    }
    if (changes.length > 0) deps.report?.(key, changes);
  };
}

function ownedBy(
  object: { metadata?: { ownerReferences?: readonly { uid: string; controller?: boolean }[] } },
  uid: string,
): boolean {
  return (object.metadata?.ownerReferences ?? []).some((ref) => ref.uid === uid && ref.controller === true);
}
