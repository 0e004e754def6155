import { describe, expect, it } from 'vitest';
import { configMap, create, freshNamespace, statusShape, type ContractTarget, type Json } from './target.js';

const failure = { kind: 'Status', apiVersion: 'v1', status: 'Failure' };

const deployment = (name: string, replicas: number): Json => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'c', image: 'registry.invalid/app:1' }] },
    },
  },
});

/** Writes: Status shapes of 404/409/422, optimistic concurrency, generation, DELETE answers. */
export function objectsContract(target: () => ContractTarget): void {
  describe('objects and Status errors', () => {
    it('answers a missing object with 404 NotFound naming it', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-404');
      const res = await t.request('GET', `/api/v1/namespaces/${ns}/configmaps/nope`);
      expect(res.status).toBe(404);
      expect(statusShape(res.json())).toEqual({
        ...failure,
        reason: 'NotFound',
        code: 404,
        details: { kind: 'configmaps', name: 'nope' },
      });
      expect(res.json()['message']).toBe('configmaps "nope" not found');
      const unknown = await t.request('GET', '/apis/example.invalid/v1/widgets');
      expect(unknown.status).toBe(404);
    });

    it('answers a duplicate create with 409 AlreadyExists and a stale update with 409 Conflict', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-409');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      const created = await create(t, path, configMap('a', {}, { v: '1' }));
      const again = await t.request('POST', path, { body: configMap('a') });
      expect(again.status).toBe(409);
      expect(statusShape(again.json())).toEqual({
        ...failure,
        reason: 'AlreadyExists',
        code: 409,
        details: { kind: 'configmaps', name: 'a' },
      });
      expect(again.json()['message']).toBe('configmaps "a" already exists');

      const first = await t.request('PUT', `${path}/a`, { body: { ...created, data: { v: '2' } } });
      expect(first.status).toBe(200);
      expect(first.json()['metadata'].resourceVersion).not.toBe(created['metadata'].resourceVersion);
      const stale = await t.request('PUT', `${path}/a`, { body: { ...created, data: { v: '3' } } });
      expect(stale.status).toBe(409);
      expect(statusShape(stale.json())).toEqual({
        ...failure,
        reason: 'Conflict',
        code: 409,
        details: { kind: 'configmaps', name: 'a' },
      });
      expect(stale.json()['message']).toBe(
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again',
      );
      const current = (await t.request('GET', `${path}/a`)).json();
      expect(current['data']).toEqual({ v: '2' });
    });

    it('answers an invalid name with 422 Invalid and a cause per field', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-422');
      const res = await t.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
        body: configMap('Not_Valid'),
      });
      expect(res.status).toBe(422);
      const status = res.json();
      expect(statusShape(status)).toEqual({
        ...failure,
        reason: 'Invalid',
        code: 422,
        details: { kind: 'ConfigMap', name: 'Not_Valid' },
      });
      expect(status['details'].causes.map((c: Json) => [c['reason'], c['field']])).toEqual([
        ['FieldValueInvalid', 'metadata.name'],
      ]);
      expect(status['message']).toMatch(
        /^ConfigMap "Not_Valid" is invalid: metadata\.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/,
      );
    });

    it('answers a wrong token with 401 Unauthorized', async () => {
      const t = target();
      const res = await t.request('GET', '/api/v1/namespaces', { token: 'not-a-valid-token' });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({
        ...failure,
        metadata: {},
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    });

    it('defaults a created namespace: name label, kubernetes finalizer, phase Active, no generation', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-ns');
      const got = (await t.request('GET', `/api/v1/namespaces/${ns}`)).json();
      expect(got).toMatchObject({
        kind: 'Namespace',
        apiVersion: 'v1',
        metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
      expect(got['metadata'].generation).toBeUndefined();
    });

    it('bumps generation on a spec change only, and resourceVersion on every change', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-gen');
      const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
      const created = await create(t, path, deployment('web', 1));
      expect(created['metadata'].generation).toBe(1);
      const merge = { 'Content-Type': 'application/merge-patch+json' };
      const labelled = (
        await t.request('PATCH', `${path}/web`, {
          body: { metadata: { labels: { x: 'y' } } },
          headers: merge,
        })
      ).json();
      expect(labelled['metadata'].generation).toBe(1);
      expect(labelled['metadata'].resourceVersion).not.toBe(created['metadata'].resourceVersion);
      const scaled = (
        await t.request('PATCH', `${path}/web`, { body: { spec: { replicas: 3 } }, headers: merge })
      ).json();
      expect(scaled['metadata'].generation).toBe(2);
      const cm = await create(t, `/api/v1/namespaces/${ns}/configmaps`, configMap('c'));
      const changed = (
        await t.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/c`, {
          body: { data: { k: 'v' } },
          headers: merge,
        })
      ).json();
      expect(cm['metadata'].generation).toBeUndefined();
      expect(changed['metadata'].generation).toBeUndefined();
    });

    it('stores nothing for a no-op write, and keeps status and spec apart (/status subresource)', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-noop');
      const merge = { 'Content-Type': 'application/merge-patch+json' };
      const cm = await create(t, `/api/v1/namespaces/${ns}/configmaps`, configMap('c', {}, { k: 'v' }));
      const same = (
        await t.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/c`, {
          body: { data: { k: 'v' } },
          headers: merge,
        })
      ).json();
      expect(same['metadata'].resourceVersion).toBe(cm['metadata'].resourceVersion);

      const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
      const created = await create(t, path, { ...deployment('web', 1), status: { replicas: 7 } });
      expect(created['status']?.replicas).toBeUndefined(); // status is not set through the main resource
      const put = (
        await t.request('PUT', `${path}/web`, { body: { ...created, status: { replicas: 7 } } })
      ).json();
      expect(put['status']?.replicas).toBeUndefined();
      const status = await t.request('PATCH', `${path}/web/status`, {
        body: { spec: { replicas: 9 }, status: { replicas: 5 } },
        headers: merge,
      });
      expect(status.status).toBe(200);
      expect([
        status.json()['spec'].replicas,
        status.json()['status'].replicas,
        status.json()['metadata'].generation,
      ]).toEqual([1, 5, 1]);
    });

    it('answers unsupported methods and media types with 405, 406 and 415 Status bodies', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-media');
      const path = `/api/v1/namespaces/${ns}/configmaps`;
      await create(t, path, configMap('c'));
      const post = await t.request('POST', `${path}/c`, { body: {} });
      expect(post.json()).toEqual({
        ...failure,
        metadata: {},
        message: 'the server does not allow this method on the requested resource',
        reason: 'MethodNotAllowed',
        details: {},
        code: 405,
      });
      const partialOfList = await t.request('GET', path, {
        headers: { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
      });
      expect(partialOfList.status).toBe(406);
      expect(statusShape(partialOfList.json())).toEqual({ ...failure, reason: 'NotAcceptable', code: 406 });
      expect(partialOfList.json()['message']).toBe(
        'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)',
      );
      const listOfObject = await t.request('GET', `${path}/c`, {
        headers: { Accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' },
      });
      expect(listOfObject.json()['message']).toBe(
        'you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)',
      );
      const html = await t.request('GET', `${path}/c`, { headers: { Accept: 'text/html' } });
      expect(html.status).toBe(406);
      expect(html.json()['message']).toBe(
        '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
      const text = await t.request('POST', path, { body: 'x', headers: { 'Content-Type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(statusShape(text.json())).toEqual({ ...failure, reason: 'UnsupportedMediaType', code: 415 });
      expect(text.json()['message']).toBe(
        'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
      );
    });

    it('answers DELETE with a Success Status for configmaps and with the object for pods', async () => {
      const t = target();
      const ns = await freshNamespace(t, 'ct-del');
      const cm = await create(t, `/api/v1/namespaces/${ns}/configmaps`, configMap('c'));
      const deleted = await t.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/c`);
      expect(deleted.status).toBe(200);
      expect(deleted.json()).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Success',
        details: { name: 'c', kind: 'configmaps', uid: cm['metadata'].uid },
      });
      const pod = await create(t, `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'registry.invalid/app:1' }] },
      });
      expect(pod['metadata'].generation).toBe(1);
      // No kubelet: a real server would wait for one; grace period 0 deletes at once on both.
      const gone = await t.request('DELETE', `/api/v1/namespaces/${ns}/pods/p`, {
        query: { gracePeriodSeconds: 0 },
      });
      expect(gone.status).toBe(200);
      expect(gone.json()).toMatchObject({
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: 'p', uid: pod['metadata'].uid },
      });
      expect((await t.request('GET', `/api/v1/namespaces/${ns}/pods/p`)).status).toBe(404);
    });
  });
}
