import { describe, expect, it } from 'vitest';
import { keyOfValue, userCodeReporter, UserCodeError, type KubeObject } from './index.js';

const pod: KubeObject = { metadata: { namespace: 'shop', name: 'web-1' } };
const node: KubeObject = { metadata: { name: 'node-a' } };

describe('keyOfValue', () => {
  it('names informer events that carry an object by that object', () => {
    expect(keyOfValue({ type: 'ADDED', object: pod, initial: false })).toBe('shop/web-1');
    expect(keyOfValue({ type: 'MODIFIED', object: pod, previous: node })).toBe('shop/web-1');
    expect(keyOfValue({ type: 'DELETED', object: node, finalStateUnknown: true })).toBe('node-a');
    expect(keyOfValue({ type: 'RESYNC', object: pod })).toBe('shop/web-1');
  });

  it('names Kubernetes objects by their own key', () => {
    expect(keyOfValue(pod)).toBe('shop/web-1');
    expect(keyOfValue(node)).toBe('node-a');
  });

  it('names nothing else: SYNCED, batches, primitives, objects without a name or with garbage metadata', () => {
    expect(keyOfValue({ type: 'SYNCED', size: 3, resourceVersion: '9' })).toBeUndefined();
    expect(keyOfValue([{ type: 'ADDED', object: pod, initial: false }])).toBeUndefined();
    expect(keyOfValue('shop/web-1')).toBeUndefined();
    expect(keyOfValue(null)).toBeUndefined();
    expect(keyOfValue(undefined)).toBeUndefined();
    expect(keyOfValue({ metadata: {} })).toBeUndefined();
    expect(keyOfValue({ metadata: { name: 42 } })).toBeUndefined();
    expect(keyOfValue({ type: 'ADDED', object: null })).toBeUndefined();
  });

  it('never throws, even when reading the value does', () => {
    const hostile = {
      get metadata(): never {
        throw new Error('no');
      },
    };
    expect(keyOfValue(hostile)).toBeUndefined();
    expect(keyOfValue({ type: 'MODIFIED', object: hostile })).toBeUndefined();
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(keyOfValue(revoked.proxy)).toBeUndefined();
  });
});

describe('userCodeReporter', () => {
  it('hands onError a UserCodeError that names the value by key, never by content, with the running count', () => {
    const seen: [UserCodeError, number][] = [];
    const report = userCodeReporter((e, n) => seen.push([e, n]));
    const secret = { metadata: { namespace: 'shop', name: 'db' }, data: { password: 'hunter2' } };
    const cause = new TypeError('bad');
    report('myOperator key', { type: 'ADDED', object: secret, initial: false }, cause);
    report('myOperator merge', 'not an object', 'thrown string');
    expect(seen.map(([, n]) => n)).toEqual([1, 2]);
    const [first] = seen[0]!;
    expect(first).toBeInstanceOf(UserCodeError);
    expect(first).toMatchObject({ site: 'callback', source: 'myOperator key', objectKey: 'shop/db', cause });
    expect(first.message).not.toContain('hunter2');
    expect(seen[1]![0]).toMatchObject({
      source: 'myOperator merge',
      objectKey: undefined,
      cause: 'thrown string',
    });
  });

  it('uses the given site', () => {
    const seen: UserCodeError[] = [];
    userCodeReporter((e) => seen.push(e), 'mapper')('watches[0] secrets', pod, new Error('x'));
    expect(seen[0]?.site).toBe('mapper');
  });

  it('keeps one count per reporter, so each subscription counts its own failures', () => {
    const counts: number[] = [];
    const other = userCodeReporter((_e, n) => counts.push(-n));
    other('a', pod, 1);
    const report = userCodeReporter((_e, n) => counts.push(n));
    report('a', pod, 1);
    report('a', pod, 2);
    other('a', pod, 3);
    expect(counts).toEqual([-1, 1, 2, -2]);
  });

  it('ignores an onError that throws, and goes on counting', () => {
    const counts: number[] = [];
    const report = userCodeReporter((_e, n) => {
      counts.push(n);
      throw new Error('onError broke');
    });
    expect(() => report('a', pod, new Error('x'))).not.toThrow();
    expect(() => report('a', pod, new Error('y'))).not.toThrow();
    expect(counts).toEqual([1, 2]);
  });
});
