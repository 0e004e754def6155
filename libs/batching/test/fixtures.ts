import type { InformerEvent, KubeObject } from '@rxinformer/core';
import { expect } from 'vitest';
import { TestScheduler } from 'rxjs/testing';

/** A Pod-shaped object in namespace `shop`. */
export const pod = (name: string, rv: string, uid = `uid-${name}`): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'shop', name, resourceVersion: rv, uid },
});
export const added = (name: string, rv: string, initial = false, uid?: string): InformerEvent => ({
  type: 'ADDED',
  object: pod(name, rv, uid),
  initial,
});
export const modified = (name: string, rv: string, previousRv: string): InformerEvent => ({
  type: 'MODIFIED',
  object: pod(name, rv),
  previous: pod(name, previousRv),
});
export const deleted = (name: string, rv: string, finalStateUnknown = false): InformerEvent => ({
  type: 'DELETED',
  object: pod(name, rv),
  finalStateUnknown,
});
export const resync = (name: string, rv: string): InformerEvent => ({
  type: 'RESYNC',
  object: pod(name, rv),
});
export const synced = (size: number, resourceVersion = '100'): InformerEvent => ({
  type: 'SYNCED',
  size,
  resourceVersion,
});

export const createScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
