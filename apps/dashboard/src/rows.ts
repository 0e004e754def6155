import type { V1ConfigMap, V1Deployment, V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeObject, Wire } from '@rxinformer/core';

/**
 * How a row looks: `ok` (green), `warn` (amber) or `bad` (red).
 *
 * @example
 * ```ts
 * const tone: RowTone = pod.status?.phase === 'Failed' ? 'bad' : 'ok';
 * ```
 */
export type RowTone = 'ok' | 'warn' | 'bad';

/**
 * One table row as the page receives it: the object's key, its cells (strings, as displayed),
 * its creation time (epoch ms; the page renders the age), and its tone.
 *
 * @example
 * ```ts
 * const row: Row = { key: 'shop/web-1', cells: ['shop', 'web-1', 'Running', '2/2', '0', 'node-3'], created: 0, tone: 'ok' };
 * ```
 */
export interface Row {
  readonly key: string;
  readonly cells: readonly string[];
  readonly created: number;
  readonly tone: RowTone;
}

/**
 * A table of the page: its column titles (the page adds "Age") and how an object becomes a row.
 *
 * @example
 * ```ts
 * const row = podTable.toRow(pod);
 * ```
 */
export interface TableSpec<T extends KubeObject = KubeObject> {
  readonly columns: readonly string[];
  toRow(object: T): Row;
}

const created = (o: KubeObject): number => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;
const keyOf = (o: KubeObject): string =>
  o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name ?? ''}` : (o.metadata?.name ?? '');
const BAD_WAITING = /BackOff|Err|Invalid|Failed/;

/** Pods: namespace, name, status (a container's waiting reason wins over the phase), ready, restarts, node. */
export const podTable: TableSpec<Wire<V1Pod>> = {
  columns: ['Namespace', 'Name', 'Status', 'Ready', 'Restarts', 'Node'],
  toRow(pod) {
    const statuses = pod.status?.containerStatuses ?? [];
    const ready = statuses.filter((s) => s.ready).length;
    const total = statuses.length || (pod.spec?.containers?.length ?? 0);
    const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
    const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined);
    const phase = pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown');
    const status = waiting ?? phase;
    const tone: RowTone =
      BAD_WAITING.test(status) || phase === 'Failed'
        ? 'bad'
        : ready < total || phase !== 'Running'
          ? 'warn'
          : 'ok';
    return {
      key: keyOf(pod),
      cells: [
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        status,
        `${ready}/${total}`,
        String(restarts),
        pod.spec?.nodeName ?? '',
      ],
      created: created(pod),
      tone,
    };
  },
};

/** Deployments: namespace, name, ready/desired, up-to-date, available. */
export const deploymentTable: TableSpec<Wire<V1Deployment>> = {
  columns: ['Namespace', 'Name', 'Ready', 'Up-to-date', 'Available'],
  toRow(deployment) {
    const desired = deployment.spec?.replicas ?? 1;
    const ready = deployment.status?.readyReplicas ?? 0;
    return {
      key: keyOf(deployment),
      cells: [
        deployment.metadata?.namespace ?? '',
        deployment.metadata?.name ?? '',
        `${ready}/${desired}`,
        String(deployment.status?.updatedReplicas ?? 0),
        String(deployment.status?.availableReplicas ?? 0),
      ],
      created: created(deployment),
      tone: ready >= desired ? 'ok' : ready === 0 ? 'bad' : 'warn',
    };
  },
};

/** ConfigMaps: namespace, name, number of keys. */
export const configMapTable: TableSpec<Wire<V1ConfigMap>> = {
  columns: ['Namespace', 'Name', 'Keys'],
  toRow(configMap) {
    const keys = Object.keys(configMap.data ?? {}).length + Object.keys(configMap.binaryData ?? {}).length;
    return {
      key: keyOf(configMap),
      cells: [configMap.metadata?.namespace ?? '', configMap.metadata?.name ?? '', String(keys)],
      created: created(configMap),
      tone: 'ok',
    };
  },
};

/** Nodes: name, Ready condition, CPU and memory capacity, kubelet version. */
export const nodeTable: TableSpec<Wire<V1Node>> = {
  columns: ['Name', 'Status', 'CPU', 'Memory', 'Kubelet'],
  toRow(node) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const unschedulable = node.spec?.unschedulable === true;
    return {
      key: keyOf(node),
      cells: [
        node.metadata?.name ?? '',
        `${ready ? 'Ready' : 'NotReady'}${unschedulable ? ',SchedulingDisabled' : ''}`,
        node.status?.capacity?.['cpu'] ?? '',
        node.status?.capacity?.['memory'] ?? '',
        node.status?.nodeInfo?.kubeletVersion ?? '',
      ],
      created: created(node),
      tone: ready ? (unschedulable ? 'warn' : 'ok') : 'bad',
    };
  },
};
