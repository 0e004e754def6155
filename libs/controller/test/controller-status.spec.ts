// status$, active$ and done in virtual time, over fake informers: the phases a controller walks
// through, and what a fatal informer error does to its workers, its ownership and `done`.
import { ConfigMaps, Deployments, ForbiddenError, type KubeObject } from '@rxinformer/core';
import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  controller,
  type ControllerPhase,
  type KeyFilter,
  type KeyOwnership,
  type ReconcileRequest,
} from '@rxinformer/controller';
import { capturingLogger, type LogEntry } from './support/capturing-logger.js';
import { FakeInformer } from './support/fake-informer.js';
import { virtualClock } from './support/virtual-clock.js';

const cm = (name: string) => ({ metadata: { name, namespace: 'shop' } });
const forbidden = () =>
  new ForbiddenError(
    { kind: 'Status', code: 403, reason: 'Forbidden', message: 'configmaps is forbidden' },
    { verb: 'watch', resource: 'configmaps', namespace: 'shop' },
  );

function ownershipStub(initial: KeyFilter | undefined) {
  const events: string[] = [];
  const ownership$ = new BehaviorSubject<KeyFilter | undefined>(initial);
  const ownership: KeyOwnership = {
    ownership$,
    start: () => void events.push('start'),
    stop: async () => void events.push('stop'),
  };
  return { ownership, ownership$, events };
}

/** A reconcile that runs until its signal aborts; records each start and each abort. */
function untilAborted(started: string[], events: string[]) {
  return ({ key, signal }: ReconcileRequest<KubeObject>): Promise<void> => {
    started.push(key);
    return new Promise<void>((_, reject) =>
      signal.addEventListener(
        'abort',
        () => {
          events.push(`aborted ${key}`);
          reject(signal.reason);
        },
        { once: true },
      ),
    );
  };
}

describe('controller status$ and done (virtual time)', () => {
  it('walks idle → waiting-for-sync → standby → active → standby → stopped; done resolves; a restart has a new done', async () => {
    const clock = virtualClock();
    const cms = new FakeInformer(ConfigMaps);
    cms.put(cm('a'));
    const { ownership, ownership$ } = ownershipStub(undefined);
    const c = controller<KubeObject>({
      name: 'phases',
      for: cms,
      ownership,
      scheduler: clock.scheduler,
      reconcile: () => undefined,
    });
    const phases: ControllerPhase[] = [];
    const active: boolean[] = [];
    c.status$.subscribe((s) => phases.at(-1) !== s.phase && phases.push(s.phase));
    c.active$.subscribe((a) => active.push(a));
    const firstRun = c.done;
    c.start();
    await clock.advance(0);
    cms.sync();
    await clock.advance(0);
    ownership$.next(() => true);
    await clock.advance(0);
    ownership$.next(undefined);
    await clock.advance(0);
    await c.stop();
    expect(phases).toEqual(['idle', 'waiting-for-sync', 'standby', 'active', 'standby', 'stopped']);
    expect(active).toEqual([false, true, false]);
    await expect(firstRun).resolves.toBeUndefined();

    c.start();
    expect(c.done).not.toBe(firstRun);
    await clock.advance(0);
    expect(c.status.phase).toBe('standby'); // synced at once: the informer replays its state
    await c.stop();
    await expect(c.done).resolves.toBeUndefined();
  });

  it('on a fatal informer error while active: aborts in-flight reconciles with it, starts no queued key, stops the ownership after the workers, then rejects done', async () => {
    const clock = virtualClock();
    const deployments = new FakeInformer(Deployments);
    const cms = new FakeInformer(ConfigMaps);
    for (const name of ['a', 'b', 'c']) deployments.put(cm(name));
    const { ownership, events } = ownershipStub(() => true);
    const started: string[] = [];
    const c = controller<KubeObject>({
      name: 'failing',
      for: deployments,
      owns: [cms],
      ownership,
      scheduler: clock.scheduler,
      reconcile: untilAborted(started, events),
    });
    let rejection: unknown;
    c.done.catch((e: unknown) => (rejection = e));
    c.start();
    deployments.sync();
    cms.sync();
    await clock.advance(0);
    expect(started).toEqual(['shop/a']);
    expect(c.status.phase).toBe('active');

    const error = forbidden();
    cms.fail(error);
    expect(c.status).toMatchObject({
      phase: 'failed',
      failure: { source: 'owns', index: 0, resource: 'configmaps', error },
    });
    await clock.advance(0);
    expect(started).toEqual(['shop/a']); // b and c were queued, never started
    expect(events).toEqual(['start', 'aborted shop/a', 'stop']);
    expect(rejection).toBe(error);
    deployments.put(cm('d')); // its subscription is gone: nothing more happens
    await clock.advance(1000);
    expect(started).toEqual(['shop/a']);
    await c.stop(); // resolves: stopping a failed controller is fine
  });

  for (const role of ['for', 'owns', 'watches'] as const) {
    it(`stops, as stop() without drain does, when its \`${role}\` informer completes (the factory shut down)`, async () => {
      const clock = virtualClock();
      const deployments = new FakeInformer(Deployments);
      const cms = new FakeInformer(ConfigMaps);
      const watched = new FakeInformer(ConfigMaps);
      for (const name of ['a', 'b']) deployments.put(cm(name));
      const { ownership, events } = ownershipStub(() => true);
      const started: string[] = [];
      const c = controller<KubeObject>({
        name: 'factory-shutdown',
        for: deployments,
        owns: [cms],
        watches: [{ informer: watched, map: () => [] }],
        ownership,
        scheduler: clock.scheduler,
        reconcile: untilAborted(started, events),
      });
      let resolved = false;
      void c.done.then(() => (resolved = true));
      c.start();
      deployments.sync();
      cms.sync();
      watched.sync();
      await clock.advance(0);
      expect(c.status.phase).toBe('active');
      expect(started).toEqual(['shop/a']);

      ({ for: deployments, owns: cms, watches: watched })[role].complete();
      await clock.advance(0);
      expect(c.status).toMatchObject({ phase: 'stopped', failure: undefined });
      expect(events).toEqual(['start', 'aborted shop/a', 'stop']); // the ownership is stopped after the workers
      expect(resolved).toBe(true);
      await clock.advance(1000);
      expect(started).toEqual(['shop/a']); // the queued key was dropped
      await c.stop(); // resolves: the run has ended
    });
  }

  it('stops at once when started over informers whose factory is already shut down', async () => {
    const cms = new FakeInformer(ConfigMaps);
    cms.complete();
    const { ownership, events } = ownershipStub(() => true);
    const c = controller<KubeObject>({ name: 'late', for: cms, ownership, reconcile: () => undefined });
    c.start();
    await expect(c.done).resolves.toBeUndefined();
    expect(c.status.phase).toBe('stopped');
    expect(events).toEqual(['stop']);
  });

  it('fails with the index of a `watches` informer that fails before it synced', async () => {
    const cms = new FakeInformer(ConfigMaps);
    const first = new FakeInformer(Deployments);
    const second = new FakeInformer(Deployments);
    const c = controller<KubeObject>({
      name: 'watch-fails',
      for: cms,
      watches: [
        { informer: first, map: () => [] },
        { informer: second, map: () => [] },
      ],
      reconcile: () => undefined,
    });
    c.start();
    const error = forbidden();
    second.fail(error);
    await expect(c.done).rejects.toBe(error);
    expect(c.status.failure).toMatchObject({ source: 'watches', index: 1, resource: 'deployments.apps' });
  });

  it('treats an ownership filter that throws as "not mine" for that key, logged, without crashing', async () => {
    const clock = virtualClock();
    const cms = new FakeInformer(ConfigMaps);
    for (const name of ['a', 'boom', 'c']) cms.put(cm(name));
    const { ownership } = ownershipStub((key) => {
      if (key === 'shop/boom') throw new Error('filter bug');
      return true;
    });
    const logs: LogEntry[] = [];
    const reconciled: string[] = [];
    const c = controller<KubeObject>({
      name: 'filter',
      for: cms,
      ownership,
      scheduler: clock.scheduler,
      logger: capturingLogger(logs),
      reconcile: ({ key }) => void reconciled.push(key),
    });
    c.start();
    cms.sync();
    await clock.advance(0);
    cms.put({ metadata: { name: 'boom', namespace: 'shop', labels: { v: '2' } } });
    await clock.advance(0);
    expect(reconciled).toEqual(['shop/a', 'shop/c']);
    expect(c.status.phase).toBe('active');
    expect(logs.some((l) => l.level === 'warn' && l.fields['key'] === 'shop/boom')).toBe(true);
    await c.stop();
  });
});
