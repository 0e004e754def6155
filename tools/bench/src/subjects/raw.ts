import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Adapter, AdapterHandle, PodLike } from './adapter.js';

/**
 * The physical limit: the same requests as an informer (paginated LIST, then WATCH), the bytes
 * read, split into lines and `JSON.parse`d, objects kept in a Map — nothing else.
 */
export const raw: Adapter = async (options): Promise<AdapterHandle> => {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const server = new URL(kc.getCurrentCluster()!.server);
  const base: RequestOptions = { hostname: server.hostname, port: server.port, method: 'GET', headers: {} };
  await kc.applyToHTTPSOptions(base);
  base.agent = new Agent({ keepAlive: true, ca: base.ca });
  const get = (path: string) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ ...base, path }, resolve);
      req.on('error', reject);
      req.end();
    });
  const objects = new Map<string, PodLike>();
  const subscribers = options.subscribers;
  let watch: IncomingMessage | undefined;
  let stopped = false;

  const sync = async () => {
    let token = '';
    let resourceVersion = '';
    do {
      const res = await get(
        `/api/v1/pods?limit=500&resourceVersion=0${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
      );
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        metadata: { resourceVersion: string; continue?: string };
        items: PodLike[];
      };
      for (const item of list.items) {
        objects.set(`${item.metadata!.namespace}/${item.metadata!.name}`, item);
        for (let i = 0; i < subscribers.length; i++) subscribers[i]!.added(item);
      }
      token = list.metadata.continue ?? '';
      resourceVersion = list.metadata.resourceVersion;
    } while (token);
    watch = await get(`/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${resourceVersion}`);
    let pending = '';
    const onLine = (line: string) => {
      const event = JSON.parse(line) as { type: string; object: PodLike };
      const key = `${event.object.metadata!.namespace}/${event.object.metadata!.name}`;
      if (event.type === 'DELETED') {
        objects.delete(key);
        for (let i = 0; i < subscribers.length; i++) subscribers[i]!.deleted(event.object);
      } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        objects.set(key, event.object);
        for (let i = 0; i < subscribers.length; i++) subscribers[i]!.modified(event.object);
      }
    };
    watch.setEncoding('utf8');
    watch.on('data', (chunk: string) => {
      let start = 0;
      let end = chunk.indexOf('\n');
      while (end !== -1) {
        const line = pending ? pending + chunk.slice(start, end) : chunk.slice(start, end);
        pending = '';
        if (line) onLine(line);
        start = end + 1;
        end = chunk.indexOf('\n', start);
      }
      if (start < chunk.length) pending += chunk.slice(start);
    });
    watch.on('error', () => undefined);
    if (stopped) watch.destroy();
  };

  return {
    synced: sync(),
    size: () => objects.size,
    stop: () => {
      stopped = true;
      watch?.destroy();
      (base.agent as Agent).destroy();
    },
  };
};
