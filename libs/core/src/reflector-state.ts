import type { BackoffOptions } from './backoff.js';
import type { RequestContext } from './errors.js';
import type { InformerHealth } from './health.js';
import type { ListParams, WatchParams } from './transport/types.js';

/**
 * Where a reflector is (kube-rs's `watcher` states):
 * - `stopped`: not started, or stopped by its owner.
 * - `listing`: a LIST (`streaming: false`, page by page) or a streaming list (a WATCH with
 *   `sendInitialEvents`) is delivering the objects; `relist` is false only for the first list.
 * - `watching`: a WATCH streams changes from the last resourceVersion. `delivered` says whether
 *   it has sent anything yet (an event or a bookmark).
 * - `backoff`: waiting until `retryAt`, then listing or watching again (`then`).
 * - `failed`: an error retrying cannot fix ended it.
 */
export type ReflectorState =
  | { readonly phase: 'stopped' }
  | {
      readonly phase: 'listing';
      readonly streaming: boolean;
      readonly relist: boolean;
      readonly since: number;
    }
  | { readonly phase: 'watching'; readonly openedAt: number; readonly delivered: boolean }
  | { readonly phase: 'backoff'; readonly then: 'list' | 'watch'; readonly retryAt: number }
  | { readonly phase: 'failed'; readonly error: Error };

/** The state and what a reflector remembers across states. Immutable: each step makes a new one. */
export interface ReflectorMachine {
  readonly state: ReflectorState;
  /** Where the next WATCH resumes: the last list's, event's or bookmark's resourceVersion. */
  readonly resourceVersion: string | undefined;
  readonly listedOnce: boolean;
  /** The next LIST must be a consistent read (`resourceVersion=""`): the last one expired. */
  readonly consistentList: boolean;
  /** Whether the next list is a streaming list; cleared when the server turns out not to support it. */
  readonly watchList: boolean;
  /** Whether the server has answered at all (a TLS failure after that is retried). */
  readonly connected: boolean;
  /** Consecutive failures since the last success (`health.attempt`). */
  readonly failures: number;
  /** Backoff delays taken since the last success: the exponent of the next one. */
  readonly backoffs: number;
  readonly lastFailureAt: number;
  readonly relists: number;
  readonly restarts: number;
  readonly lastError: Error | undefined;
  readonly lastReason: string | undefined;
}

/** What happens to a reflector: its owner's calls, the server's answers, its own timers. */
export type ReflectorInput =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  /** A LIST page's objects have been delivered; `continue` names the next page. */
  | { readonly type: 'page'; readonly resourceVersion: string; readonly continue: string | undefined }
  /** The streaming list's closing bookmark (`k8s.io/initial-events-end`). */
  | { readonly type: 'initial-events-end'; readonly resourceVersion: string }
  /** The cache took a watch event at this resourceVersion. */
  | { readonly type: 'event'; readonly resourceVersion: string }
  | { readonly type: 'bookmark'; readonly resourceVersion: string }
  /** The server ended the WATCH cleanly (its `timeoutSeconds`). */
  | { readonly type: 'closed' }
  /** The server streamed something a streaming list cannot contain: it does not support them. */
  | { readonly type: 'watch-list-unsupported'; readonly why: string }
  /** A request failed, a body did not decode, the watchdog fired or user code threw. */
  | { readonly type: 'error'; readonly error: Error }
  /** The backoff delay is over. */
  | { readonly type: 'retry' };

/** Watch parameters a step decides; the driver adds `timeoutSeconds` and bookmarks. */
export type WatchFrom = Pick<WatchParams, 'resourceVersion' | 'sendInitialEvents' | 'resourceVersionMatch'>;

/**
 * What the driver does after a step. `begins` on a request means a list phase starts with it
 * (the cache is told `list-start`); `reason` is why it was sent again, for the log.
 */
export type ReflectorCommand =
  | {
      readonly do: 'list';
      readonly params: ListParams;
      readonly begins: boolean;
      readonly relist: boolean;
      readonly reason?: string;
    }
  | {
      readonly do: 'watch';
      readonly params: WatchFrom;
      readonly begins: boolean;
      readonly relist: boolean;
      readonly reason?: string;
    }
  /** Every object of the list has been delivered: the cache can swap in the new list. */
  | { readonly do: 'listed'; readonly resourceVersion: string }
  | { readonly do: 'wait'; readonly delayMs: number; readonly error: Error }
  | { readonly do: 'fail'; readonly error: Error };

/** One step's outcome: the next machine and what to do, in order. */
export interface ReflectorStep {
  readonly machine: ReflectorMachine;
  readonly commands: readonly ReflectorCommand[];
}

/** The settings a step reads. */
export interface ReflectorRules {
  readonly pageSize: number;
  /** Fall back to LIST when the server does not support streaming lists. */
  readonly watchListFallback: boolean;
  readonly backoff: BackoffOptions;
  /** A watch that closes this soon without sending anything counts as a failure (ms). */
  readonly quickCloseMs: number;
  /** Where the reflector's requests go, for the errors a step makes itself. */
  readonly context: RequestContext;
}

/** The outside world a step may look at: the clock and the jitter source. */
export interface ReflectorEnv {
  readonly now: number;
  readonly random: () => number;
}

/** The state a reflector starts and ends in. */
export const STOPPED: ReflectorState = Object.freeze({ phase: 'stopped' });

/**
 * A reflector that has not started. Counters and the last error carry over from an earlier run
 * of the same informer, so `health$` keeps counting across restarts.
 */
export function initialMachine(
  watchList: boolean,
  carried: Pick<InformerHealth, 'relists' | 'restarts' | 'lastError' | 'lastReason'>,
): ReflectorMachine {
  return {
    state: STOPPED,
    resourceVersion: undefined,
    listedOnce: false,
    consistentList: false,
    watchList,
    connected: false,
    failures: 0,
    backoffs: 0,
    lastFailureAt: Number.NEGATIVE_INFINITY,
    relists: carried.relists,
    restarts: carried.restarts,
    lastError: carried.lastError,
    lastReason: carried.lastReason,
  };
}
