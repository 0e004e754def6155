import type { Controller } from '@rxinformer/controller';
import type { Subscription } from 'rxjs';

/** Reconciles a controller started, and when the first one after a mark started. */
export interface ReconcileCount {
  readonly count: number;
  /** `performance.now()` of the first reconcile after {@link ReconcileCounter.mark}, if any yet. */
  readonly firstAfterMark: number | undefined;
}

/**
 * Counts the reconciles of a controller from its `status$` (`reconciles`, every reconcile
 * started), and notes when the first one after a mark started.
 *
 * @example
 * ```ts
 * const operator = startOperator({ kubeConfig: kc, namespace });
 * const reconciles = ReconcileCounter.attach(operator.controller);
 * // … later
 * console.log(reconciles.snapshot().count);
 * ```
 */
export class ReconcileCounter {
  private count = 0;
  private markedAt: number | undefined;
  private first: number | undefined;
  private readonly subscription: Subscription;

  private constructor(controller: Controller) {
    this.subscription = controller.status$.subscribe((status) => {
      if (status.reconciles === this.count) return;
      this.count = status.reconciles;
      if (this.markedAt !== undefined && this.first === undefined && this.count > this.markedAt)
        this.first = performance.now();
    });
  }

  /** Counts the reconciles of `controller` from now on (and those it already ran). */
  static attach(controller: Controller): ReconcileCounter {
    return new ReconcileCounter(controller);
  }

  /** From now on, remember when the next reconcile starts. */
  mark(): void {
    this.markedAt = this.count;
    this.first = undefined;
  }

  snapshot(): ReconcileCount {
    return { count: this.count, firstAfterMark: this.first };
  }

  /** Stops listening. */
  detach(): void {
    this.subscription.unsubscribe();
  }
}
