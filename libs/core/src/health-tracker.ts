import { BehaviorSubject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { idleHealth, type InformerHealth } from './health.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Holds an informer's health and publishes frozen snapshots: at once for a change that
 * matters (phase, errors, counters), and at most once per `quietMs` for the fields that move
 * with every event, so a busy watch does not turn `health$` into a second event stream.
 */
export class HealthTracker {
  private state: Mutable<InformerHealth> = { ...idleHealth };
  private readonly subject = new BehaviorSubject<InformerHealth>(idleHealth);
  private lastEmit = Number.NEGATIVE_INFINITY;
  private dirty = false;
  private trailing: Subscription | undefined;

  constructor(
    private readonly scheduler: SchedulerLike,
    /** The cache size, read when a snapshot is published rather than written per event. */
    private readonly sizeOf: () => number = () => 0,
    private readonly quietMs = 1000,
  ) {}

  /** The state now, including changes not yet published; reading it publishes nothing. */
  get current(): InformerHealth {
    const published = this.subject.value;
    if (!this.dirty && this.sizeOf() === published.size) return published;
    return Object.freeze({ ...this.state, size: this.sizeOf() });
  }

  get changes(): Observable<InformerHealth> {
    return this.subject;
  }

  /** Applies a change that subscribers should see now. */
  update(patch: Partial<InformerHealth>): void {
    Object.assign(this.state, patch);
    this.emit();
  }

  /** Applies a change from the event path; published at most once per `quietMs`. */
  touch(patch: Partial<InformerHealth>): void {
    Object.assign(this.state, patch);
    this.dirty = true;
    const wait = this.lastEmit + this.quietMs - this.scheduler.now();
    if (wait <= 0) this.emit();
    // The last change of a burst is published when the quiet period ends, even if nothing follows.
    else
      this.trailing ??= this.scheduler.schedule(() => {
        this.trailing = undefined;
        if (this.dirty) this.emit();
      }, wait);
  }

  /**
   * Back to the idle state, keeping the counters and the last error for display. The
   * resourceVersion order goes back to `'integer'`: each start detects it afresh.
   */
  reset(): void {
    this.update({
      ...idleHealth,
      relists: this.state.relists,
      restarts: this.state.restarts,
      lastError: this.state.lastError,
      lastReason: this.state.lastReason,
    });
  }

  private emit(): void {
    this.dirty = false;
    this.trailing?.unsubscribe();
    this.trailing = undefined;
    this.state.size = this.sizeOf();
    this.lastEmit = this.scheduler.now();
    this.subject.next(Object.freeze({ ...this.state }));
  }
}
