import { objectKey, UserCodeError, type InformerEvent, type KubeObject } from '@rxinformer/core';
import { describe, expect, it } from 'vitest';
import { added, createScheduler, deleted, modified, pod, resync, synced } from '../test/fixtures.js';
import { dedupe } from './dedupe.js';

describe('dedupe', () => {
  it('drops an ADDED or MODIFIED already seen at that resourceVersion, and lets RESYNC, DELETED and SYNCED pass', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const values = {
        a: added('p', '1'),
        b: modified('p', '2', '1'),
        A: added('p', '2', true),
        r: resync('p', '2'),
        d: deleted('p', '2', true),
        S: synced(0),
      };
      const source = hot('  -a-b-A-r-d-A-S-|', values);
      const subs = '        ^--------------!';
      const expected = '    -a-b---r-d-A-S-|';
      expectObservable(source.pipe(dedupe())).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('drops a MODIFIED repeated by a reconnect, keeps one with a new resourceVersion', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = { a: modified('p', '5', '4'), b: modified('p', '5', '4'), c: modified('p', '6', '5') };
      expectObservable(cold('abc|', values).pipe(dedupe())).toBe('a-c|', values);
    });
  });

  it('lets objects without a resourceVersion pass', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const bare: InformerEvent = { type: 'ADDED', object: { metadata: { name: 'x' } }, initial: false };
      expectObservable(cold('aa|', { a: bare }).pipe(dedupe())).toBe('aa|', { a: bare });
    });
  });

  it('forgets the least recently seen key beyond maxKeys (its duplicate then passes)', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const values = { p: added('p', '1'), q: added('q', '1'), r: added('r', '1') };
      // p is refreshed by its duplicate, so r evicts q, not p.
      expectObservable(cold('pqprpq|', values).pipe(dedupe({ maxKeys: 2 }))).toBe('pq-r-q|', values);
    });
  });

  it('keeps state per subscription and uses a custom key', () => {
    createScheduler().run(({ hot, expectObservable }) => {
      const values = { a: added('p', '1', false, 'u1'), b: added('p', '1', false, 'u2') };
      const source = hot('ab|', values);
      const byUid = dedupe({ key: (o) => o.metadata?.uid ?? '' });
      expectObservable(source.pipe(byUid)).toBe('ab|', values);
      expectObservable(source.pipe(dedupe())).toBe('a-|', values);
    });
  });

  it('forwards errors and tears down on unsubscribe', () => {
    createScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const values = { a: added('p', '1') };
      expectObservable(cold('aa#', values, new Error('x')).pipe(dedupe())).toBe(
        'a-#',
        values,
        new Error('x'),
      );
      const source = hot('a-a-a-|', values);
      expectObservable(source.pipe(dedupe()), '---!').toBe('a--', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('lets an event whose key throws or is not a string pass, and reports it; a throwing onError changes nothing', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const reports: Array<[string | undefined, number]> = [];
      const key = (o: KubeObject): string => {
        if (o.metadata?.name === 'x') throw new Error('boom');
        return o.metadata?.name === 'n' ? (undefined as unknown as string) : objectKey(o);
      };
      const values = { a: added('p', '1'), x: added('x', '1'), n: added('n', '1') };
      const source = hot('  aaxxnn|', values);
      const subs = '        ^-----!';
      // Without a key, a duplicate cannot be recognised: it passes (at-least-once, never lost).
      const expected = '    a-xxnn|';
      const deduped = dedupe({
        key,
        onError: (e, n) => {
          reports.push([e instanceof UserCodeError ? e.objectKey : 'not typed', n]);
          throw new Error('the reporter broke too');
        },
      });
      expectObservable(source.pipe(deduped)).toBe(expected, values);
      expectSubscriptions(source.subscriptions).toBe(subs);
      return () =>
        expect(reports).toEqual([
          ['shop/x', 1],
          ['shop/x', 2],
          ['shop/n', 3],
          ['shop/n', 4],
        ]);
    });
  });

  it('rejects an unusable maxKeys', () => {
    expect(() => dedupe({ maxKeys: 0 })).toThrow(RangeError);
    expect(pod('p', '1').metadata?.resourceVersion).toBe('1');
  });
});
