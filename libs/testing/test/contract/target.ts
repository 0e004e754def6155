import type { KubeConfig } from '@kubernetes/client-node';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';

/**
 * A server the contract suite runs against: the simulator or a real kube-apiserver. The
 * assertions are written once and must hold on both; a difference is a simulator bug.
 */
export interface ContractTarget {
  readonly name: string;
  /** Admin credentials (client-node KubeConfig: server, CA, token). */
  readonly kubeConfig: KubeConfig;
  /** One raw HTTP request; the body is sent as JSON unless it is a string. */
  request(method: string, path: string, init?: RequestInit): Promise<RawResponse>;
  /** Opens a watch (or any streaming GET) and reads it line by line. */
  stream(path: string, init?: Omit<RequestInit, 'body'>): Promise<LineStream>;
  /** Makes every resourceVersion issued so far too old to watch or list from (etcd compaction). */
  expire(): Promise<void>;
}

export interface RequestInit {
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sends this bearer token instead of the kubeconfig's credentials. */
  token?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
  json<T = Json>(): T;
}

/** A streaming response read one JSON line at a time. */
export interface LineStream {
  readonly status: number;
  /** The next line parsed as JSON; rejects after `timeoutMs`, resolves `undefined` at the end. */
  next(timeoutMs?: number): Promise<Json | undefined>;
  close(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

function pathWithQuery(path: string, query: RequestInit['query']): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) search.set(key, String(value));
  const qs = search.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

async function open(
  kubeConfig: KubeConfig,
  method: string,
  path: string,
  init: RequestInit,
): Promise<{ res: IncomingMessage; abort(): void }> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(pathWithQuery(path, init.query), cluster.server);
  const body =
    init.body === undefined
      ? undefined
      : typeof init.body === 'string'
        ? init.body
        : JSON.stringify(init.body);
  const options: RequestOptions = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...init.headers,
    },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  if (init.token !== undefined)
    options.headers = { ...options.headers, Authorization: `Bearer ${init.token}` };
  return new Promise((resolve, reject) => {
    const req = httpsRequest(options, (res) => resolve({ res, abort: () => req.destroy() }));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A raw request helper over a kubeconfig (its TLS and token), for either server. */
export function requester(kubeConfig: KubeConfig): Pick<ContractTarget, 'request' | 'stream'> {
  return {
    async request(method, path, init = {}) {
      const { res } = await open(kubeConfig, method, path, init);
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      return {
        status: res.statusCode ?? 0,
        headers: res.headers,
        text,
        json: <T>() => JSON.parse(text) as T,
      };
    },
    async stream(path, init = {}) {
      const { res, abort } = await open(kubeConfig, 'GET', path, init);
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      let ended = false;
      let rest = '';
      const wake = () => waiters.splice(0).forEach((w) => w());
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let nl: number;
        while ((nl = rest.indexOf('\n')) >= 0) {
          const line = rest.slice(0, nl).trim();
          rest = rest.slice(nl + 1);
          if (line !== '') lines.push(line);
        }
        wake();
      });
      const finish = () => {
        if (rest.trim() !== '') lines.push(rest.trim());
        rest = '';
        ended = true;
        wake();
      };
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      return {
        status: res.statusCode ?? 0,
        async next(timeoutMs = 10_000) {
          const deadline = Date.now() + timeoutMs;
          while (lines.length === 0 && !ended) {
            const left = deadline - Date.now();
            if (left <= 0) throw new Error(`no line within ${timeoutMs} ms from ${path}`);
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, left);
              waiters.push(() => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
          const line = lines.shift();
          return line === undefined ? undefined : (JSON.parse(line) as Json);
        },
        close: abort,
      };
    },
  };
}

let counter = 0;

/** Creates a namespace unique to this run (namespaces are never reused: the real server keeps them Terminating). */
export async function freshNamespace(target: ContractTarget, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${counter++}`;
  const res = await target.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
  if (res.status !== 201) throw new Error(`creating namespace ${name}: ${res.status} ${res.text}`);
  return name;
}

/** Creates an object and returns it; fails the test with the server's answer otherwise. */
export async function create(target: ContractTarget, collection: string, body: Json): Promise<Json> {
  const res = await target.request('POST', collection, { body });
  if (res.status !== 201) throw new Error(`POST ${collection}: ${res.status} ${res.text}`);
  return res.json();
}

export const configMap = (
  name: string,
  labels: Record<string, string> = {},
  data: Record<string, string> = {},
): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

/** The fields of a Status that both servers must agree on (messages may be worded differently). */
export function statusShape(status: Json): Json {
  return {
    kind: status['kind'],
    apiVersion: status['apiVersion'],
    status: status['status'],
    reason: status['reason'],
    code: status['code'],
    ...(status['details']
      ? {
          details: {
            kind: status['details'].kind,
            name: status['details'].name,
            group: status['details'].group,
          },
        }
      : {}),
  };
}
