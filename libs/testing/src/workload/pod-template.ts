import { immutableJson } from '../store/stored-version.js';
import type { SeededRandom } from '../util/random.js';

type Json = Record<string, unknown>;

/** The shared, per-app parts of generated pods (built once per workload, reused by reference). */
export interface AppTemplate {
  readonly app: string;
  readonly spec: Json;
  readonly managedFields: Json[];
  readonly padding: string;
  /** Per-node specs, built on first use. */
  readonly specs: Map<number, Json>;
}

const IMAGES = [
  'nginx:1.27.2',
  'ghcr.io/example/api:2.14.1',
  'redis:7.4.1',
  'quay.io/prometheus/node-exporter:v1.8.2',
  'busybox:1.37',
];

function container(random: SeededRandom, app: string, index: number): Json {
  const env = Array.from({ length: 8 }, (_, i) => ({
    name: `${app.toUpperCase().replace(/-/g, '_')}_SETTING_${i}`,
    value: `value-${random.int(100_000)}`,
  }));
  env.push({
    name: 'POD_NAME',
    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
  } as never);
  return {
    name: index === 0 ? app : `${app}-sidecar`,
    image: random.pick(IMAGES),
    imagePullPolicy: 'IfNotPresent',
    ports: [
      { name: 'http', containerPort: 8080 + index, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090 + index, protocol: 'TCP' },
    ],
    env,
    resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    livenessProbe: {
      httpGet: { path: '/healthz', port: 8080 + index, scheme: 'HTTP' },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: 8080 + index, scheme: 'HTTP' },
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

/** Builds `count` app templates (spec, managedFields) from a seeded PRNG. */
export function appTemplates(random: SeededRandom, count: number): AppTemplate[] {
  return Array.from({ length: count }, (_, i) => {
    const app = `app-${i}`;
    const spec = {
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        {
          name: 'kube-api-access',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
          },
        },
      ],
      containers: [container(random, app, 0), container(random, app, 1)],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000 },
      schedulerName: 'default-scheduler',
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    };
    const managedFields = [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': {
            'f:generateName': {},
            'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} },
            'f:ownerReferences': { '.': {}, 'k:{"uid":"0"}': {} },
          },
          'f:spec': { 'f:containers': {}, 'f:volumes': {} },
        },
      },
      {
        manager: 'kubelet',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2025-01-01T00:00:05Z',
        fieldsType: 'FieldsV1',
        subresource: 'status',
        fieldsV1: {
          'f:status': {
            'f:conditions': {},
            'f:containerStatuses': {},
            'f:hostIP': {},
            'f:phase': {},
            'f:podIP': {},
            'f:startTime': {},
          },
        },
      },
    ];
    return { app, spec, managedFields: immutableJson(managedFields), padding: '', specs: new Map() };
  });
}

/** The spec of a template's pods on one node, shared (and serialized once) by all of them. */
function specOn(template: AppTemplate, node: number): Json {
  let spec = template.specs.get(node);
  if (spec === undefined) {
    spec = immutableJson({ ...template.spec, nodeName: `node-${node}` });
    template.specs.set(node, spec);
  }
  return spec;
}

/** What varies between generated pods and between their revisions. */
export interface PodInstance {
  readonly name: string;
  readonly namespace: string;
  readonly index: number;
  readonly template: AppTemplate;
  readonly revision: number;
}

const TIME_BASE = Date.UTC(2025, 0, 1);
const time = (seconds: number): string =>
  `${new Date(TIME_BASE + seconds * 1000).toISOString().slice(0, 19)}Z`;

/**
 * A realistic pod (~5 KB before padding): labels, annotations, owner reference, two containers
 * with env, ports, probes and resources, status with conditions and container statuses, and
 * managedFields. Shared parts come from the template by reference, so building one is cheap.
 */
export function makePod(instance: PodInstance): Json {
  const { name, namespace, index, template, revision } = instance;
  const ready = revision % 7 !== 3;
  const hash = ((index * 2654435761) >>> 0).toString(16).slice(0, 10);
  const containerStatus = (c: number) => ({
    name: c === 0 ? template.app : `${template.app}-sidecar`,
    state: ready
      ? { running: { startedAt: time(revision) } }
      : { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } },
    lastState: {},
    ready,
    restartCount: Math.floor(revision / 7),
    image: 'nginx:1.27.2',
    imageID: `docker-pullable://nginx@sha256:${hash}${hash}${hash}`,
    containerID: `containerd://${hash}${revision.toString(16).padStart(8, '0')}${hash}`,
    started: ready,
  });
  const annotations: Record<string, string> = {
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9090',
    'kubectl.kubernetes.io/restartedAt': time(0),
    'rxinformer.io/revision': String(revision),
  };
  if (template.padding !== '') annotations['rxinformer.io/padding'] = template.padding;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${template.app}-${hash}-`,
      namespace,
      labels: {
        app: template.app,
        'pod-template-hash': hash,
        tier: index % 3 === 0 ? 'frontend' : 'backend',
        'rxinformer.io/sim': 'true',
      },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: `${template.app}-${hash}`,
          uid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: template.managedFields,
    },
    spec: specOn(template, index % 50),
    status: {
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        {
          type: 'PodReadyToStartContainers',
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: time(1),
        },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: time(1) },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: time(revision),
        },
        {
          type: 'ContainersReady',
          status: ready ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: time(revision),
        },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: time(0) },
      ],
      hostIP: `10.0.${index % 50}.1`,
      hostIPs: [{ ip: `10.0.${index % 50}.1` }],
      podIP: `10.244.${(index >> 8) & 255}.${index & 255}`,
      podIPs: [{ ip: `10.244.${(index >> 8) & 255}.${index & 255}` }],
      startTime: time(0),
      containerStatuses: [containerStatus(0), containerStatus(1)],
      qosClass: 'Burstable',
    },
  };
}

/** Pads templates so a serialized pod is about `bytes` long. */
export function padTemplates(templates: AppTemplate[], bytes: number): AppTemplate[] {
  return templates.map((template) => {
    const probe = JSON.stringify(
      makePod({
        name: 'name-padding-probe-00000',
        namespace: 'namespace-00',
        index: 12345,
        template,
        revision: 1,
      }),
    ).length;
    const padding = bytes > probe + 40 ? 'x'.repeat(bytes - probe - 40) : '';
    return { ...template, padding, specs: new Map() };
  });
}
