import { Watch } from '@kubernetes/client-node';
import { request as httpsRequest } from 'node:https';
import type { KubeApiServer } from '../src/index.js';

/** A raw HTTP response. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One raw HTTPS request to the server (trusting its CA, with its token unless `token` says otherwise). */
export function raw(
  server: KubeApiServer,
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    token?: string | null;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const token = init.token === undefined ? server.token : init.token;
    const req = httpsRequest(
      `${server.url}${path}`,
      {
        method: init.method ?? 'GET',
        ca: server.caPem,
        headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...(init.headers ?? {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** A watch event as client-node's Watch delivers it. */
export interface WatchEvent {
  readonly type: string;
  readonly object: {
    metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
    [key: string]: unknown;
  };
}

/** An open watch whose events can be awaited one by one. */
export interface EventQueue {
  /** Resolves with the next event (rejects after `timeoutMs`). */
  next(timeoutMs?: number): Promise<WatchEvent>;
  /** Resolves with the next `n` events. */
  take(n: number, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Resolves when the server ends the watch (with client-node's error, if any). */
  readonly ended: Promise<unknown>;
  stop(): void;
}

/** Opens a watch with client-node's own Watch class and queues its events. */
export async function watchWith(
  server: KubeApiServer,
  path: string,
  query: Record<string, string | number | boolean>,
): Promise<EventQueue> {
  const buffered: WatchEvent[] = [];
  const waiting: ((event: WatchEvent) => void)[] = [];
  let endResolve!: (error: unknown) => void;
  const ended = new Promise<unknown>((resolve) => (endResolve = resolve));
  const controller = await new Watch(server.kubeConfig).watch(
    path,
    query,
    (type: string, object: WatchEvent['object']) => {
      const event = { type, object };
      const waiter = waiting.shift();
      if (waiter) waiter(event);
      else buffered.push(event);
    },
    (error: unknown) => endResolve(error ?? null),
  );
  const next = (timeoutMs = 5000): Promise<WatchEvent> => {
    const event = buffered.shift();
    if (event) return Promise.resolve(event);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiting.indexOf(deliver);
        if (i >= 0) waiting.splice(i, 1);
        reject(new Error(`no watch event within ${timeoutMs} ms on ${path}`));
      }, timeoutMs);
      const deliver = (e: WatchEvent): void => {
        clearTimeout(timer);
        resolve(e);
      };
      waiting.push(deliver);
    });
  };
  return {
    next,
    take: async (n, timeoutMs) => {
      const events: WatchEvent[] = [];
      for (let i = 0; i < n; i++) events.push(await next(timeoutMs));
      return events;
    },
    ended,
    stop: () => controller.abort(),
  };
}

/** A lines-level raw watch (for framing checks that client-node would hide). */
export function rawWatch(
  server: KubeApiServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  lines: AsyncIterator<string>;
  headers: Record<string, string | string[] | undefined>;
  close(): void;
  ended: Promise<'end' | 'aborted'>;
}> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${server.url}${path}`,
      { ca: server.caPem, headers: { Authorization: `Bearer ${server.token}`, ...headers } },
      (res) => {
        const ended = new Promise<'end' | 'aborted'>((done) => {
          res.on('end', () => done('end'));
          res.on('aborted', () => done('aborted'));
          res.on('error', () => done('aborted'));
        });
        const lines = (async function* () {
          let rest = '';
          try {
            for await (const chunk of res) {
              rest += (chunk as Buffer).toString('utf8');
              let nl: number;
              while ((nl = rest.indexOf('\n')) >= 0) {
                yield rest.slice(0, nl);
                rest = rest.slice(nl + 1);
              }
            }
          } catch {
            // aborted: what was received was yielded
          }
          if (rest !== '') yield rest;
        })()[Symbol.asyncIterator]();
        resolve({
          status: res.statusCode ?? 0,
          lines,
          headers: res.headers,
          close: () => req.destroy(),
          ended,
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Reads lines until `n` have arrived (or the stream ends). */
export async function readLines(lines: AsyncIterator<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const result = await lines.next();
    if (result.done === true) break;
    out.push(result.value);
  }
  return out;
}
