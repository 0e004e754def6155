import { idleHealth, type InformerEvent, type InformerHealth, type KubeObject } from '@rxinformer/core';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

export const createScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

export const pod = (name: string, rv: string, extra: KubeObject['metadata'] = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name, resourceVersion: rv, ...extra },
});

export const events = {
  a: { type: 'ADDED', object: pod('web-1', '1'), initial: false },
  i: { type: 'ADDED', object: pod('web-0', '1'), initial: true },
  m: { type: 'MODIFIED', object: pod('web-1', '2'), previous: pod('web-1', '1') },
  d: { type: 'DELETED', object: pod('web-1', '3'), finalStateUnknown: false },
  r: { type: 'RESYNC', object: pod('web-0', '1') },
  S: { type: 'SYNCED', size: 1, resourceVersion: '3' },
} satisfies Record<string, InformerEvent>;

const idle: InformerHealth = idleHealth;
export const health = (patch: Partial<InformerHealth>): InformerHealth => ({ ...idle, ...patch });

/** The sample lines of a metric in the text exposition, without HELP and TYPE. */
export function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('#') && new RegExp(`^${name}(_bucket|_sum|_count)?[{ ]`).test(line));
}
