// shutdown() ends everything at once, also after a fatal error: no timer of the informers is
// left to keep the process alive (the linger period included).
import { asyncScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { ConfigMaps, ForbiddenError, createInformerFactory } from '@rxinformer/core';

let server: KubeApiServer;
beforeEach(async () => {
  server = await createKubeApiServer({});
});
afterEach(() => server.close());

/** asyncScheduler, keeping the actions it scheduled so a test can see which are still pending. */
function recordingScheduler(): { scheduler: SchedulerLike; pending: () => number } {
  const actions: Subscription[] = [];
  const scheduler: SchedulerLike = {
    now: () => asyncScheduler.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T) {
      const action = asyncScheduler.schedule(work, delay, state as T);
      actions.push(action);
      return action;
    },
  };
  return { scheduler, pending: () => actions.filter((a) => !a.closed).length };
}

it('after a fatal error, neither the linger period nor anything else keeps a timer running', async () => {
  server.faults.failNext(1, { code: 403, message: 'configmaps is forbidden' }, { resource: ConfigMaps });
  const { scheduler, pending } = recordingScheduler();
  const informers = createInformerFactory({ kubeConfig: server.kubeConfig, lingerMs: 60_000, scheduler });
  const cms = informers.informer(ConfigMaps);
  const error = await new Promise((resolve) => cms.events$.subscribe({ error: resolve }));
  expect(error).toBeInstanceOf(ForbiddenError);
  expect(pending()).toBe(0);
  informers.shutdown();
  expect(pending()).toBe(0);
});

it('shutdown ends a lingering informer at once', async () => {
  const { scheduler, pending } = recordingScheduler();
  const informers = createInformerFactory({ kubeConfig: server.kubeConfig, lingerMs: 60_000, scheduler });
  const cms = informers.informer(ConfigMaps);
  const subscription = cms.events$.subscribe();
  await cms.synced;
  subscription.unsubscribe(); // lingering now: the watch stays open for 60 s
  expect(pending()).toBeGreaterThan(0);
  informers.shutdown();
  expect(pending()).toBe(0);
  expect(cms.health.phase).toBe('idle');
});
