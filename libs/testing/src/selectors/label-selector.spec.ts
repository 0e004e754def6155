import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../api/status.js';
import { parseLabelSelector } from './label-selector.js';

const matches = (selector: string, labels: Record<string, string> | undefined) =>
  parseLabelSelector(selector).matches(labels);

describe('parseLabelSelector', () => {
  it('matches everything when empty', () => {
    expect(parseLabelSelector('').empty).toBe(true);
    expect(matches('  ', undefined)).toBe(true);
  });

  it('implements equality, inequality, set and existence requirements', () => {
    const labels = { app: 'web', tier: 'front', 'example.com/owner': 'team-a' };
    expect(matches('app=web', labels)).toBe(true);
    expect(matches('app==web', labels)).toBe(true);
    expect(matches('app=db', labels)).toBe(false);
    expect(matches('app!=db', labels)).toBe(true);
    expect(matches('missing!=x', labels)).toBe(true);
    expect(matches('tier in (back, front)', labels)).toBe(true);
    expect(matches('tier notin (front)', labels)).toBe(false);
    expect(matches('missing notin (front)', labels)).toBe(true);
    expect(matches('example.com/owner', labels)).toBe(true);
    expect(matches('!example.com/owner', labels)).toBe(false);
    expect(matches('app=web,!canary,tier in (front)', labels)).toBe(true);
    expect(matches('app=', { app: '' })).toBe(true);
    // As kube-apiserver parses it: `()` is the set holding the empty value.
    expect(matches('app in ()', { app: '' })).toBe(true);
    expect(matches('app in ()', { app: 'web' })).toBe(false);
  });

  it('compares integers with > and <', () => {
    expect(matches('replicas>2', { replicas: '3' })).toBe(true);
    expect(matches('replicas<2', { replicas: '3' })).toBe(false);
    expect(matches('replicas>2', { replicas: 'many' })).toBe(false);
  });

  it.each([
    'app in (',
    '=web',
    'a b',
    'app=web,',
    'app=a b',
    '!',
    'Invalid_Key_=x',
    `k=${'v'.repeat(64)}`,
    'app>x',
  ])('rejects %j with a 400 BadRequest', (selector) => {
    let error: unknown;
    try {
      parseLabelSelector(selector);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubeStatusError);
    expect((error as KubeStatusError).status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });
});
