import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '../src/index.js';
import { raw } from './support.js';

let server: KubeApiServer;
beforeAll(async () => {
  server = await createKubeApiServer({ seed: 17 });
});
afterAll(() => server.close());

const post = (path: string, body: string | Buffer, contentType = 'application/json') =>
  raw(server, path, { method: 'POST', headers: { 'Content-Type': contentType }, body });

describe('bad request bodies', () => {
  it('answers 400 BadRequest for malformed JSON, an empty body and a non-object body', async () => {
    for (const body of ['{"metadata":', '', '[1,2]']) {
      const res = await post('/api/v1/namespaces/default/configmaps', body);
      expect(res.status, body).toBe(400);
      expect(res.json(), body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
    }
  });

  it('answers 415 UnsupportedMediaType for other content types, and for unknown patch types', async () => {
    const res = await post('/api/v1/namespaces/default/configmaps', '{}', 'text/plain');
    expect(res.status).toBe(415);
    expect(res.json()).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
    await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"p415"}}');
    const patch = await raw(server, '/api/v1/namespaces/default/configmaps/p415', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(patch.status).toBe(415);
    expect(patch.json<{ message: string }>().message).toMatch(/application\/merge-patch\+json/);
  });

  it('answers 413 RequestEntityTooLarge above the body limit (3 MiB by default)', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { x: 'y'.repeat(3 * 1024 * 1024 + 10) } });
    const res = await post('/api/v1/namespaces/default/configmaps', big);
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({
      reason: 'RequestEntityTooLarge',
      code: 413,
      message: 'Request entity too large: limit is 3145728',
    });
    // The connection is not left hanging: the next request is served.
    expect((await raw(server, '/api/v1/namespaces/default/configmaps/big')).status).toBe(404);
  });

  it('answers 422 Invalid with causes for a missing name and for an invalid name', async () => {
    const missing = await post('/api/v1/namespaces/default/configmaps', '{"metadata":{}}');
    expect(missing.status).toBe(422);
    expect(missing.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      reason: 'Invalid',
      details: {
        kind: 'ConfigMap',
        causes: [
          {
            reason: 'FieldValueRequired',
            message: 'Required value: name or generateName is required',
            field: 'metadata.name',
          },
        ],
      },
      code: 422,
    });
    const invalid = await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"Not_Valid"}}');
    expect(invalid.status).toBe(422);
    expect(invalid.json<{ details: { causes: { field: string }[] } }>().details.causes[0]?.field).toBe(
      'metadata.name',
    );
  });

  it('answers 400 when the body names another object or namespace than the URL, or another kind', async () => {
    await post('/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"named"}}');
    const renamed = await raw(server, '/api/v1/namespaces/default/configmaps/named', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"other"}}',
    });
    expect(renamed.status).toBe(400);
    expect(renamed.json()).toMatchObject({
      reason: 'BadRequest',
      message: 'the name of the object (other) does not match the name on the URL (named)',
    });
    const moved = await post(
      '/api/v1/namespaces/default/configmaps',
      '{"metadata":{"name":"x","namespace":"elsewhere"}}',
    );
    expect(moved.status).toBe(400);
    expect(moved.json()).toMatchObject({
      message: 'the namespace of the provided object does not match the namespace sent on the request',
    });
    const wrongKind = await post(
      '/api/v1/namespaces/default/configmaps',
      '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"x"}}',
    );
    expect(wrongKind.status).toBe(400);
  });

  it('answers 405 for methods a path does not allow', async () => {
    expect((await post('/api/v1/namespaces/default/configmaps/named', '{}')).status).toBe(405);
    expect(
      (await raw(server, '/api/v1/namespaces/default/configmaps', { method: 'PUT', body: '{}' })).json(),
    ).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('answers 400 for a bad limit or resourceVersion', async () => {
    expect((await raw(server, '/api/v1/configmaps?limit=-1')).status).toBe(400);
    expect((await raw(server, '/api/v1/configmaps?resourceVersion=abc')).status).toBe(400);
  });
});

describe('internal errors', () => {
  it('turns an exception inside a handler into a 500 InternalError Status and keeps serving', async () => {
    let broken = false;
    const fragile = await createKubeApiServer({
      now: () => {
        if (broken) throw new Error('clock is broken');
        return new Date();
      },
    });
    try {
      broken = true;
      const res = await raw(fragile, '/api/v1/namespaces/default/configmaps', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"metadata":{"name":"x"}}',
      });
      expect(res.status).toBe(500);
      expect(res.json()).toMatchObject({
        kind: 'Status',
        reason: 'InternalError',
        code: 500,
        message: 'Internal error occurred: clock is broken',
      });
      expect((await raw(fragile, '/api/v1/namespaces')).status).toBe(200);
    } finally {
      await fragile.close();
    }
  });
});
