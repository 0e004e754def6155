import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../api/status.js';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes with null, replaces arrays and scalars, and does not mutate', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: 'x' };
    const result = applyMergePatch(target, { a: { b: null, d: 3 }, list: [3], keep: 'y' });
    expect(result).toEqual({ a: { c: 2, d: 3 }, list: [3], keep: 'y' });
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [1, 2], keep: 'x' });
    expect(applyMergePatch({ a: 1 }, 'scalar')).toBe('scalar');
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { labels: { 'a/b': '1' } }, spec: { list: ['x', 'y'] } };

  it('supports add, remove, replace, move, copy and test without mutating the input', () => {
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/spec/list/1', value: 'inserted' },
      { op: 'add', path: '/spec/list/-', value: 'last' },
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'replace', path: '/spec/list/0', value: 'first' },
      { op: 'copy', from: '/spec/list/0', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
      { op: 'test', path: '/spec/moved', value: 'first' },
    ]);
    expect(result).toEqual({
      metadata: { labels: {} },
      spec: { list: ['first', 'inserted', 'y', 'last'], moved: 'first' },
    });
    expect(doc.spec.list).toEqual(['x', 'y']);
  });

  it.each([
    [[{ op: 'test', path: '/spec/list/0', value: 'nope' }], 422],
    [[{ op: 'replace', path: '/spec/missing', value: 1 }], 422],
    [[{ op: 'remove', path: '/metadata/nothing' }], 422],
    [[{ op: 'add', path: '/spec/list/9', value: 1 }], 422],
    [[{ op: 'frobnicate', path: '/spec' }], 422],
    [{ op: 'add' }, 400],
  ])('fails %j with %i', (patch, code) => {
    let error: unknown;
    try {
      applyJsonPatch(doc, patch);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeStatusError);
    expect((error as KubeStatusError).code).toBe(code);
  });
});
