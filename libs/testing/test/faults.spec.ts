import { connect } from 'node:net';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { ConfigMaps, Pods } from '@rxinformer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { raw, rawWatch, readLines, watchWith } from './support.js';

let server: KubeApiServer;
let core: CoreV1Api;
beforeEach(async () => {
  server = await createKubeApiServer({ seed: 13, bookmarkIntervalMs: 20 });
  core = server.kubeConfig.makeApiClient(CoreV1Api);
});
afterEach(() => server.close());

const cm = (name: string) => ({ metadata: { name, namespace: 'f' } });

describe('failing requests', () => {
  it('fails the next N matching requests with a real-shaped Status and Retry-After', async () => {
    const handle = server.faults.failNext(
      2,
      { code: 503, retryAfterSeconds: 3 },
      { verb: 'list', resource: ConfigMaps },
    );
    expect((await raw(server, '/api/v1/pods')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await raw(server, '/api/v1/configmaps');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('3');
      expect(res.json()).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'The server is currently unable to handle the request',
        reason: 'ServiceUnavailable',
        details: { retryAfterSeconds: 3 },
        code: 503,
      });
    }
    expect(handle.remaining).toBe(0);
    expect((await raw(server, '/api/v1/configmaps')).status).toBe(200);
  });

  it('shapes 429 and 500 like the real server and reaches client-node as ApiException', async () => {
    server.faults.failNext(1, { code: 429, retryAfterSeconds: 1 });
    const throttled = await raw(server, '/api/v1/pods');
    expect(throttled.json()).toMatchObject({
      reason: 'TooManyRequests',
      code: 429,
      details: { retryAfterSeconds: 1 },
    });
    server.faults.failNext(1, { code: 500 }, { path: /\/pods$/ });
    const error = await core.listPodForAllNamespaces().catch((e: unknown) => e);
    expect((error as ApiException<string>).code).toBe(500);
    expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({ reason: 'InternalError' });
  });

  it('matches watches separately from lists', async () => {
    server.faults.failNext(1, { code: 410, reason: 'Gone', message: 'gone' }, { watch: true });
    expect((await raw(server, '/api/v1/pods')).status).toBe(200);
    expect((await raw(server, '/api/v1/pods?watch=1')).status).toBe(410);
  });

  it('fails randomly but deterministically for a seed', async () => {
    const outcomes = async (seed: number): Promise<number[]> => {
      const s = await createKubeApiServer({ seed });
      s.faults.failRandomly(0.5, { code: 500 });
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) codes.push((await raw(s, '/api/v1/pods')).status);
      await s.close();
      return codes;
    };
    const a = await outcomes(99);
    expect(await outcomes(99)).toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 500]));
  });
});

describe('latency', () => {
  it('delays matching responses until cancelled', async () => {
    const slow = server.faults.addLatency(300, { verb: 'get' });
    let settled = false;
    const pending = raw(server, '/api/v1/namespaces/default').then((r) => {
      settled = true;
      return r;
    });
    // A list is not delayed and overtakes the delayed get.
    expect((await raw(server, '/api/v1/namespaces')).status).toBe(200);
    expect(settled).toBe(false);
    expect((await pending).status).toBe(200);
    slow.cancel();
  });
});

describe('watch faults', () => {
  it('drops every open watch mid-stream', async () => {
    const a = await watchWith(server, '/api/v1/configmaps', { resourceVersion: server.resourceVersion });
    const b = await watchWith(server, '/api/v1/pods', { resourceVersion: server.resourceVersion });
    await server.waitForWatches(2);
    expect(server.faults.dropWatches({ resource: ConfigMaps })).toBe(1);
    await a.ended;
    expect(server.watchCount()).toBe(1);
    expect(server.faults.dropWatches()).toBe(1);
    await b.ended;
    expect(server.watchCount()).toBe(0);
  });

  it('cuts the next watch line in half and ends the connection', async () => {
    const watch = await rawWatch(
      server,
      `/api/v1/namespaces/f/configmaps?watch=1&resourceVersion=${server.resourceVersion}`,
    );
    await server.waitForWatches(1);
    server.faults.cutNextWatchLine();
    server.create(ConfigMaps, cm('cut'));
    const lines = await readLines(watch.lines, 5);
    expect(lines).toHaveLength(1);
    expect(() => JSON.parse(lines[0] ?? '')).toThrow();
    expect(lines[0]).toMatch(/^\{"type":"ADDED","object":/);
    expect(await watch.ended).toBe('aborted');
  });

  it('sends a malformed line before the next event', async () => {
    const watch = await rawWatch(
      server,
      `/api/v1/namespaces/f/configmaps?watch=1&resourceVersion=${server.resourceVersion}`,
    );
    await server.waitForWatches(1);
    server.faults.sendMalformedWatchLine();
    server.create(ConfigMaps, cm('m1'));
    server.create(ConfigMaps, cm('m2'));
    const [bad, first, second] = await readLines(watch.lines, 3);
    expect(() => JSON.parse(bad ?? '')).toThrow();
    expect(JSON.parse(first ?? '')).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'm1' } } });
    expect(JSON.parse(second ?? '')).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'm2' } } });
    watch.close();
  });

  it('stalls watches (no events, no bookmarks) until released, then delivers everything in order', async () => {
    const watch = await watchWith(server, '/api/v1/namespaces/f/configmaps', {
      resourceVersion: server.resourceVersion,
      allowWatchBookmarks: true,
    });
    await server.waitForWatches(1);
    const stall = server.faults.stallWatches();
    server.create(ConfigMaps, cm('s1'));
    server.create(ConfigMaps, cm('s2'));
    await expect(watch.next(200)).rejects.toThrow(/no watch event/);
    stall.cancel();
    const events = (await watch.take(3)).filter((e) => e.type !== 'BOOKMARK');
    expect(events.map((e) => `${e.type} ${e.object.metadata?.name}`).slice(0, 2)).toEqual([
      'ADDED s1',
      'ADDED s2',
    ]);
    watch.stop();
  });

  it('closes a watch whose client falls behind the slow-watcher threshold', async () => {
    const slow = await createKubeApiServer({ slowWatcherBytes: 256 * 1024 });
    try {
      const watch = await rawWatch(
        slow,
        `/api/v1/namespaces/f/configmaps?watch=1&resourceVersion=${slow.resourceVersion}`,
      );
      await slow.waitForWatches(1);
      // Never read: writes pile up in the server's buffer until it gives up on this watcher.
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; slow.watchCount() > 0 && i < 2000; i++) {
        slow.create(ConfigMaps, { metadata: { name: `big-${i}`, namespace: 'f' }, data: { big } });
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(slow.watchCount()).toBe(0);
      watch.close();
    } finally {
      await slow.close();
    }
  });
});

describe('history faults', () => {
  it('compacts the history: watches from earlier RVs get 410, from now on they work', async () => {
    const before = server.resourceVersion;
    server.create(ConfigMaps, cm('c'));
    const now = server.faults.compactHistory();
    expect(now).toBe(server.resourceVersion);
    const expired = await watchWith(server, '/api/v1/configmaps', { resourceVersion: before });
    const event = await expired.next();
    expect(event).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    const fresh = await watchWith(server, '/api/v1/configmaps', { resourceVersion: now });
    server.create(ConfigMaps, cm('after'));
    expect((await fresh.next()).object.metadata?.name).toBe('after');
    fresh.stop();
  });

  it('restarts with the history lost: connections close, objects stay, same port', async () => {
    server.create(Pods, { metadata: { name: 'kept', namespace: 'f' }, spec: { containers: [] } });
    const rv = server.resourceVersion;
    const port = server.port;
    const watch = await watchWith(server, '/api/v1/pods', { resourceVersion: rv });
    await server.faults.restart();
    await watch.ended;
    expect(server.port).toBe(port);
    expect((await core.readNamespacedPod({ namespace: 'f', name: 'kept' })).metadata?.name).toBe('kept');
    server.create(Pods, { metadata: { name: 'later', namespace: 'f' }, spec: { containers: [] } });
    const again = await watchWith(server, '/api/v1/pods', { resourceVersion: String(Number(rv) - 1) });
    expect((await again.next()).type).toBe('ERROR');
  });

  it('restarts even while a connection is still in its TLS handshake: it dies like the rest', async () => {
    // A client that reconnects at once after a drop can be mid-handshake when the server stops;
    // that connection must not keep the old server (and its restart) waiting.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await server.faults.restart();
    await closed;
    expect((await raw(server, '/api/v1/pods')).status).toBe(200);
  }, 10_000);

  it('restarts on a new port when asked, with a fresh kubeConfig', async () => {
    const port = server.port;
    await server.faults.restart({ keepPort: false });
    expect(server.port).not.toBe(port);
    const list = await server.kubeConfig.makeApiClient(CoreV1Api).listNamespace();
    expect(list.items.length).toBeGreaterThan(0);
  });
});
