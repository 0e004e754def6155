import { describe, expect, it } from 'vitest';
import { VersionQueue } from './version-queue.js';

interface Item {
  readonly name: string;
  readonly rv: string;
}

const queueOf = (...items: Item[]) => {
  const queue = new VersionQueue<Item>((i) => i.rv);
  for (const item of items) queue.add(item);
  return queue;
};
const names = (items: readonly Item[]) => items.map((i) => i.name);

describe('VersionQueue', () => {
  it('takes the items a version reaches, oldest first and in the order added among equals', () => {
    const [a, b, c, d, e] = [
      { name: 'a', rv: '100' },
      { name: 'b', rv: '9' },
      { name: 'c', rv: '10' },
      { name: 'd', rv: '10' },
      { name: 'e', rv: '11' },
    ];
    const queue = queueOf(a, b, c, d, e);
    expect(names(queue.takeUpTo('8'))).toEqual([]);
    expect(names(queue.takeUpTo('10'))).toEqual(['b', 'c', 'd']);
    expect(queue.size).toBe(2);
    expect(names(queue.clear())).toEqual(['e', 'a']);
    expect(queue.size).toBe(0);
  });

  it('removes exactly the item given, among items of the same version', () => {
    const items = ['x', 'y', 'z'].map((name) => ({ name, rv: '5' }));
    const queue = queueOf(...items, { name: 'w', rv: '4' });
    expect(queue.remove(items[1]!)).toBe(true);
    expect(queue.remove(items[1]!)).toBe(false);
    expect(queue.remove({ name: 'x', rv: '5' })).toBe(false);
    expect(names(queue.takeUpTo('5'))).toEqual(['w', 'x', 'z']);
  });
});
