import { describe, expect, it } from 'vitest';
import { createScheduler } from '../test/fixtures.js';
import { batchEvents } from './batch-events.js';

describe('batchEvents', () => {
  it('emits a batch on size or time, whichever comes first, and the rest on completion', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('  -a-b-c-d-----e-|');
      const subs = '        ^--------------!';
      const expected = '    -----x-----y---(z|)';
      expectObservable(source.pipe(batchEvents({ maxSize: 3, maxWait: 4 }))).toBe(expected, {
        x: ['a', 'b', 'c'],
        y: ['d'],
        z: ['e'],
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
    });
  });

  it('starts the timer with the first value of a batch, not periodically', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      const source = cold('-a-b------c-------|');
      expectObservable(source.pipe(batchEvents({ maxSize: 10, maxWait: 5 }))).toBe('------x--------y--|', {
        x: ['a', 'b'],
        y: ['c'],
      });
    });
  });

  it('never emits an empty batch', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab---------|').pipe(batchEvents({ maxSize: 2, maxWait: 4 }))).toBe(
        '-x---------|',
        { x: ['a', 'b'] },
      );
      expectObservable(cold('-----|').pipe(batchEvents({ maxSize: 2, maxWait: 1 }))).toBe('-----|');
    });
  });

  it('batches by size only when maxWait is Infinity', () => {
    createScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a 1s b 1s c 1s |').pipe(batchEvents({ maxSize: 2, maxWait: Infinity }))).toBe(
        '- 1s x 2001ms (y|)',
        { x: ['a', 'b'], y: ['c'] },
      );
    });
  });

  it('flushes the pending batch, then forwards an error', () => {
    createScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-#', undefined, new Error('fatal'));
      expectObservable(source.pipe(batchEvents({ maxSize: 10, maxWait: 10 }))).toBe(
        '-----(x#)',
        { x: ['a', 'b'] },
        new Error('fatal'),
      );
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('drops the pending batch and its timer on unsubscribe', () => {
    const scheduler = createScheduler();
    scheduler.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-a-b--------|');
      expectObservable(source.pipe(batchEvents({ maxSize: 10, maxWait: 5, scheduler })), '---!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      flush();
      // No timer is left behind.
      expect(scheduler.actions).toEqual([]);
    });
  });

  it('rejects unusable options', () => {
    expect(() => batchEvents({ maxSize: 0, maxWait: 1 })).toThrow(RangeError);
    expect(() => batchEvents({ maxSize: 1.5, maxWait: 1 })).toThrow(RangeError);
    expect(() => batchEvents({ maxSize: 1, maxWait: -1 })).toThrow(RangeError);
    expect(() => batchEvents({ maxSize: 1, maxWait: Number.NaN })).toThrow(RangeError);
  });
});
