import { objectKey, type InformerEvent, type KubeObject, type Store } from '@rxinformer/core';

/** Counts of what an informer delivered. */
export interface DeliveryCounts {
  added: number;
  modified: number;
  deleted: number;
  deletedFinalStateUnknown: number;
  synced: number;
}

/**
 * Watches an informer's events and checks the invariants a user relies on, online and at the
 * end: no event at a resourceVersion older than one already delivered for the same key, MODIFIED
 * carries the previous object the subscriber saw, every object the subscriber saw that is gone
 * from the server was reported DELETED, and the events replayed into a shadow map equal the
 * store, which equals the server.
 *
 * resourceVersions from the simulator and from kube-apiserver+etcd are decimal strings, so this
 * test code compares them as numbers; the library itself must not.
 */
export class EventAuditor {
  readonly counts: DeliveryCounts = {
    added: 0,
    modified: 0,
    deleted: 0,
    deletedFinalStateUnknown: 0,
    synced: 0,
  };
  /** Invariant violations seen while events arrived. */
  readonly violations: string[] = [];
  /** All violations, including those beyond the ones kept in `violations`. */
  violationCount = 0;
  /** Violations by kind: stale-rv, added-twice, modified-unseen, previous-mismatch, uid-replaced, deleted-unknown. */
  readonly violationKinds: Record<string, number> = {};
  private readonly maxRv = new Map<string, bigint>();
  private readonly shadow = new Map<string, KubeObject>();
  /** uid -> key of every object the subscriber was told about. */
  private readonly seenUids = new Map<string, string>();
  private readonly deletedUids = new Set<string>();

  constructor(private readonly maxViolations = 50) {}

  /** Feeds one informer event. */
  readonly observe = (event: InformerEvent<KubeObject>): void => {
    if (event.type === 'SYNCED') {
      this.counts.synced++;
      return;
    }
    if (event.type === 'RESYNC') return;
    const object = event.object;
    const key = objectKey(object);
    const rv = rvOf(object);
    const last = this.maxRv.get(key);
    if (rv !== undefined && last !== undefined && rv < last) {
      this.violate('stale-rv', `${event.type} ${key} at resourceVersion ${rv} after ${last} was delivered`);
    }
    if (rv !== undefined && (last === undefined || rv > last)) this.maxRv.set(key, rv);
    const held = this.shadow.get(key);
    switch (event.type) {
      case 'ADDED':
        this.counts.added++;
        if (held)
          this.violate(
            'added-twice',
            `ADDED ${key} while the subscriber already holds it (rv ${held.metadata?.resourceVersion})`,
          );
        this.shadow.set(key, object);
        this.remember(object, key);
        return;
      case 'MODIFIED': {
        this.counts.modified++;
        if (!held) this.violate('modified-unseen', `MODIFIED ${key} that the subscriber never saw ADDED`);
        else if (held.metadata?.resourceVersion !== event.previous.metadata?.resourceVersion) {
          this.violate(
            'previous-mismatch',
            `MODIFIED ${key}: previous rv ${event.previous.metadata?.resourceVersion}, subscriber held ${held.metadata?.resourceVersion}`,
          );
        }
        const before = event.previous.metadata?.uid;
        const after = object.metadata?.uid;
        if (before && after && before !== after) {
          this.violate(
            'uid-replaced',
            `MODIFIED ${key} replaced uid ${before} by ${after}: the deletion of ${before} was never reported`,
          );
        }
        this.shadow.set(key, object);
        this.remember(object, key);
        return;
      }
      case 'DELETED':
        this.counts.deleted++;
        if (event.finalStateUnknown) this.counts.deletedFinalStateUnknown++;
        if (!held) this.violate('deleted-unknown', `DELETED ${key} that the subscriber does not hold`);
        this.shadow.delete(key);
        if (held?.metadata?.uid) this.deletedUids.add(held.metadata.uid);
        if (object.metadata?.uid) this.deletedUids.add(object.metadata.uid);
        return;
    }
  };

  /**
   * Compares the store with the server's objects (keys and resourceVersions) and with the
   * replayed events, and checks that every object the subscriber saw and the server no longer
   * has was reported DELETED. Returns the mismatches (empty when converged).
   */
  mismatches(store: Store<KubeObject>, server: readonly KubeObject[], limit = 20): string[] {
    const out = this.storeMismatches(store, server, limit);
    const live = new Set(server.map((o) => o.metadata?.uid));
    for (const [uid, key] of this.seenUids) {
      if (out.length >= limit) break;
      if (!live.has(uid) && !this.deletedUids.has(uid))
        out.push(`${key} (uid ${uid}) was deleted on the server but never reported DELETED`);
    }
    return out;
  }

  /** The store against the server (keys and resourceVersions) and against the replayed events. */
  storeMismatches(store: Store<KubeObject>, server: readonly KubeObject[], limit = 20): string[] {
    const out: string[] = [];
    const add = (m: string) => out.length < limit && out.push(m);
    const serverRvs = new Map(server.map((o) => [objectKey(o), o.metadata?.resourceVersion]));
    const storeRvs = new Map(store.list().map((o) => [objectKey(o), o.metadata?.resourceVersion]));
    for (const [key, rv] of serverRvs) {
      const cached = storeRvs.get(key);
      if (cached === undefined) add(`store lacks ${key} (server rv ${rv})`);
      else if (cached !== rv) add(`store has ${key} at rv ${cached}, server at ${rv}`);
    }
    for (const [key, rv] of storeRvs)
      if (!serverRvs.has(key)) add(`store has ${key} (rv ${rv}) that the server deleted`);
    for (const [key, object] of this.shadow) {
      if (storeRvs.get(key) !== object.metadata?.resourceVersion)
        add(
          `events say ${key} is at rv ${object.metadata?.resourceVersion}, store says ${storeRvs.get(key)}`,
        );
    }
    for (const key of storeRvs.keys())
      if (!this.shadow.has(key)) add(`store has ${key} that no event delivered`);
    return out;
  }

  private remember(object: KubeObject, key: string): void {
    const uid = object.metadata?.uid;
    if (uid) this.seenUids.set(uid, key);
  }

  private violate(kind: string, message: string): void {
    this.violationCount++;
    this.violationKinds[kind] = (this.violationKinds[kind] ?? 0) + 1;
    if (this.violations.length < this.maxViolations) this.violations.push(message);
  }
}

function rvOf(object: KubeObject): bigint | undefined {
  const rv = object.metadata?.resourceVersion;
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}
