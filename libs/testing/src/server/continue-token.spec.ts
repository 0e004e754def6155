import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../api/status.js';
import { decodeContinue, encodeContinue } from './continue-token.js';

describe('continue tokens', () => {
  it('use the API server format: base64url JSON with the key relative to the list prefix', () => {
    const token = encodeContinue(42, 'shop/web-1', 'shop');
    expect(JSON.parse(Buffer.from(token, 'base64url').toString())).toEqual({
      v: 'meta.k8s.io/v1',
      rv: 42,
      start: 'web-1\u0000',
    });
    expect(decodeContinue(token, 'shop')).toEqual({ rv: 42, after: 'shop/web-1' });
    expect(decodeContinue(encodeContinue(7, 'shop/web-1', undefined), undefined)).toEqual({
      rv: 7,
      after: 'shop/web-1',
    });
  });

  it.each([
    '!!!',
    Buffer.from('{"v":"other","rv":1,"start":"a"}').toString('base64url'),
    Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"/etc"}').toString('base64url'),
  ])('rejects %j with 400', (token) => {
    expect(() => decodeContinue(token, undefined)).toThrow(KubeStatusError);
  });
});
