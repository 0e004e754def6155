import type { ObjectStore } from './object-store.js';

type Json = Record<string, unknown>;

/**
 * What kube-apiserver's namespace strategy does to a created namespace: the immutable
 * `kubernetes.io/metadata.name` label, the `kubernetes` finalizer and phase Active (any status
 * sent by the client is dropped).
 */
function defaultNamespace(namespace: Json): void {
  const meta = (namespace['metadata'] ?? {}) as Json;
  const labels = (meta['labels'] ?? {}) as Record<string, string>;
  namespace['metadata'] = {
    ...meta,
    labels: { ...labels, 'kubernetes.io/metadata.name': String(meta['name'] ?? '') },
  };
  const spec = (namespace['spec'] ?? {}) as Json;
  namespace['spec'] = { ...spec, finalizers: spec['finalizers'] ?? ['kubernetes'] };
  namespace['status'] = { phase: 'Active' };
}

/** Applies kube-apiserver's defaults to namespaces created through the store. */
export function serveNamespaces(store: ObjectStore): void {
  store.onCreate('', 'namespaces', defaultNamespace);
}
