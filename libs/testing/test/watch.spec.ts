import { ConfigMaps, Pods } from '@rxinformer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { raw, rawWatch, readLines, watchWith } from './support.js';

let server: KubeApiServer;
beforeEach(async () => {
  server = await createKubeApiServer({ seed: 11, bookmarkIntervalMs: 50, historySize: 20 });
});
afterEach(() => server.close());

const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) => ({
  metadata: { name, namespace: 'w', labels },
  data,
});
const summary = (e: { type: string; object: { metadata?: { name?: string } } }) =>
  `${e.type} ${e.object.metadata?.name}`;

describe('watch from a resourceVersion', () => {
  it('replays the history after the RV, then streams live events; DELETED carries the final object at a new RV', async () => {
    const rv = server.resourceVersion;
    server.create(ConfigMaps, cm('a'));
    server.patch(ConfigMaps, 'a', { data: { x: '1' } }, { namespace: 'w' });
    const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', { resourceVersion: rv });
    const replayed = await watch.take(2);
    expect(replayed.map(summary)).toEqual(['ADDED a', 'MODIFIED a']);
    expect(replayed[1]?.object['data']).toEqual({ x: '1' });
    const deleted = server.delete(ConfigMaps, 'a', 'w');
    const event = await watch.next();
    expect(summary(event)).toBe('DELETED a');
    expect(event.object.metadata?.resourceVersion).toBe(deleted.metadata?.resourceVersion);
    expect(event.object.metadata?.resourceVersion).toBe(server.resourceVersion);
    expect(event.object['data']).toEqual({ x: '1' });
    expect(event.object['kind']).toBe('ConfigMap');
    watch.stop();
  });

  it('sends the current state as ADDED first when the RV is unset or 0', async () => {
    server.create(ConfigMaps, cm('x'));
    server.create(ConfigMaps, cm('y'));
    for (const query of [{ resourceVersion: '0' }, {}]) {
      const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', query);
      expect((await watch.take(2)).map(summary)).toEqual(['ADDED x', 'ADDED y']);
      watch.stop();
    }
  });

  it('answers an RV older than the window with 200 and one ERROR event carrying 410 Expired', async () => {
    const old = server.resourceVersion;
    server.create(ConfigMaps, cm('churn'));
    for (let i = 0; i < 30; i++)
      server.patch(ConfigMaps, 'churn', { data: { i: String(i) } }, { namespace: 'w' });
    const watch = await rawWatch(server, `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${old}`);
    expect(watch.status).toBe(200);
    const lines = await readLines(watch.lines, 10);
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0] ?? '') as { type: string; object: Record<string, unknown> };
    expect(event.type).toBe('ERROR');
    expect(event.object).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(event.object['message']).toMatch(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
    expect(await watch.ended).toBe('end');
  });

  it('delivers only the namespace it watches, and cluster-wide at the cluster path', async () => {
    const rv = server.resourceVersion;
    server.create(ConfigMaps, { metadata: { name: 'other', namespace: 'elsewhere' } });
    server.create(ConfigMaps, cm('mine'));
    const namespaced = await watchWith(server, '/api/v1/namespaces/w/configmaps', { resourceVersion: rv });
    expect(summary(await namespaced.next())).toBe('ADDED mine');
    const all = await watchWith(server, '/api/v1/configmaps', { resourceVersion: rv });
    expect((await all.take(2)).map(summary)).toEqual(['ADDED other', 'ADDED mine']);
    namespaced.stop();
    all.stop();
  });

  it('serves the legacy /api/v1/watch/ path', async () => {
    const rv = server.resourceVersion;
    server.create(ConfigMaps, cm('legacy'));
    const watch = await rawWatch(server, `/api/v1/watch/namespaces/w/configmaps?resourceVersion=${rv}`);
    const [line] = await readLines(watch.lines, 1);
    expect(JSON.parse(line ?? '')).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'legacy' } } });
    watch.close();
  });
});

describe('watch framing, bookmarks and timeouts', () => {
  it('frames each event as one JSON line of a chunked application/json response', async () => {
    const rv = server.resourceVersion;
    server.create(ConfigMaps, cm('f1'));
    server.create(ConfigMaps, cm('f2'));
    const watch = await rawWatch(server, `/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`);
    expect(watch.headers['content-type']).toBe('application/json');
    expect(watch.headers['transfer-encoding']).toBe('chunked');
    const lines = await readLines(watch.lines, 2);
    expect(lines.map((l) => Object.keys(JSON.parse(l) as object))).toEqual([
      ['type', 'object'],
      ['type', 'object'],
    ]);
    watch.close();
  });

  it('sends periodic BOOKMARKs with only type meta and the current resourceVersion when allowed', async () => {
    const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', {
      resourceVersion: server.resourceVersion,
      allowWatchBookmarks: true,
    });
    server.create(ConfigMaps, { metadata: { name: 'elsewhere', namespace: 'other' } });
    const rvAfter = server.resourceVersion;
    let bookmark = await watch.next();
    while (bookmark.object.metadata?.resourceVersion !== rvAfter) bookmark = await watch.next();
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: rvAfter },
    });
    watch.stop();
  });

  it('sends no BOOKMARK unless allowed', async () => {
    const watch = await rawWatch(
      server,
      `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${server.resourceVersion}&timeoutSeconds=1`,
    );
    expect(await readLines(watch.lines, 100)).toEqual([]);
    expect(await watch.ended).toBe('end');
  });

  it('ends the response cleanly after timeoutSeconds', async () => {
    const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', {
      resourceVersion: server.resourceVersion,
      timeoutSeconds: 1,
    });
    expect(await watch.ended).toBeNull();
    expect(server.watchCount()).toBe(0);
  });
});

describe('sendInitialEvents (WatchList)', () => {
  it('sends matching objects as ADDED, then a BOOKMARK annotated initial-events-end, then live events', async () => {
    server.create(ConfigMaps, cm('i1', {}, { app: 'x' }));
    server.create(ConfigMaps, cm('i2', {}, { app: 'y' }));
    server.create(ConfigMaps, cm('i3', {}, { app: 'x' }));
    const listRv = server.resourceVersion;
    const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      labelSelector: 'app=x',
    });
    const events = await watch.take(3);
    expect(events.slice(0, 2).map(summary)).toEqual(['ADDED i1', 'ADDED i3']);
    expect(events[2]).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { resourceVersion: listRv, annotations: { 'k8s.io/initial-events-end': 'true' } },
      },
    });
    server.create(ConfigMaps, cm('i4', {}, { app: 'x' }));
    let live = await watch.next();
    while (live.type === 'BOOKMARK') live = await watch.next();
    expect(summary(live)).toBe('ADDED i4');
    watch.stop();
  });

  it('rejects sendInitialEvents without allowWatchBookmarks or resourceVersionMatch=NotOlderThan with 422', async () => {
    for (const query of [
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan',
      'sendInitialEvents=true&allowWatchBookmarks=true',
    ]) {
      const res = await raw(server, `/api/v1/configmaps?watch=1&${query}`);
      expect(res.status, query).toBe(422);
      expect(res.json()).toMatchObject({ reason: 'Invalid', code: 422 });
    }
    const list = await raw(server, '/api/v1/configmaps?sendInitialEvents=true');
    expect(list.status).toBe(422);
  });
});

describe('selectors on watches', () => {
  it('sends an object that starts matching as ADDED and one that stops matching as DELETED', async () => {
    server.create(ConfigMaps, cm('s', {}, { role: 'a' }));
    const watch = await watchWith(server, '/api/v1/namespaces/w/configmaps', {
      resourceVersion: server.resourceVersion,
      labelSelector: 'role=b',
    });
    server.patch(ConfigMaps, 's', { metadata: { labels: { role: 'b' } } }, { namespace: 'w' });
    server.patch(ConfigMaps, 's', { data: { v: '1' } }, { namespace: 'w' });
    server.patch(
      ConfigMaps,
      's',
      { metadata: { labels: { role: 'c' } }, data: { v: '2' } },
      { namespace: 'w' },
    );
    const events = await watch.take(3);
    expect(events.map(summary)).toEqual(['ADDED s', 'MODIFIED s', 'DELETED s']);
    // The DELETED carries the last matching content at the event's resourceVersion.
    expect(events[2]?.object.metadata?.resourceVersion).toBe(server.resourceVersion);
    expect(events[2]?.object['data']).toEqual({ v: '1' });
    watch.stop();
  });

  it('applies field selectors to events', async () => {
    const watch = await watchWith(server, '/api/v1/pods', {
      resourceVersion: server.resourceVersion,
      fieldSelector: 'spec.nodeName=n1',
    });
    server.create(Pods, {
      metadata: { name: 'p1', namespace: 'w' },
      spec: { nodeName: 'n2', containers: [] },
    });
    server.create(Pods, {
      metadata: { name: 'p2', namespace: 'w' },
      spec: { nodeName: 'n1', containers: [] },
    });
    expect(summary(await watch.next())).toBe('ADDED p2');
    watch.stop();
  });
});

describe('metadata-only watches', () => {
  it('streams PartialObjectMetadata objects for the metadata Accept header', async () => {
    const rv = server.resourceVersion;
    server.create(ConfigMaps, cm('pm', { big: 'x'.repeat(500) }, { a: 'b' }));
    const watch = await rawWatch(
      server,
      `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`,
      {
        Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
      },
    );
    const [added, bookmark] = (await readLines(watch.lines, 2)).map(
      (l) => JSON.parse(l) as { type: string; object: Record<string, unknown> },
    );
    expect(added).toEqual({
      type: 'ADDED',
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: expect.objectContaining({ name: 'pm', labels: { a: 'b' } }),
      },
    });
    expect(bookmark?.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: server.resourceVersion },
    });
    watch.close();
  });
});
