import { backoffDelay, type BackoffOptions } from './backoff.js';
import {
  ConnectionError,
  DecodeError,
  ExpiredError,
  InvalidRequestError,
  KubeApiError,
  RxInformerError,
  ServerBusyError,
  type RequestContext,
} from './errors.js';
import type { InformerHealth, InformerPhase } from './health.js';
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

const NONE: readonly ReflectorCommand[] = Object.freeze([]);
const STOPPED: ReflectorState = Object.freeze({ phase: 'stopped' });

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

/**
 * The reflector's transition function: every state, every input and every exit in one place.
 * Pure: it reads only its arguments (the clock and jitter come in `env`) and says what to do.
 *
 * - list (pages, or streamed) → watch from the list's resourceVersion;
 * - a watch that ends cleanly, or the first drop after a healthy stretch → watch again at once;
 * - 410 → relist at once with a consistent read (back off if it happens again);
 * - any other transient failure, or a repeated one → back off with jitter, honouring Retry-After;
 *   an event or bookmark from the server resets the backoff;
 * - an error retrying cannot fix → `failed`.
 */
export function stepReflector(
  m: ReflectorMachine,
  input: ReflectorInput,
  rules: ReflectorRules,
  env: ReflectorEnv,
): ReflectorStep {
  const s = m.state;
  if (input.type === 'start') return s.phase === 'stopped' ? beginList(m, rules, env) : same(m);
  if (s.phase === 'stopped' || s.phase === 'failed') return same(m);
  switch (input.type) {
    case 'stop':
      return { machine: { ...m, state: STOPPED }, commands: NONE };
    case 'page':
      if (s.phase !== 'listing' || s.streaming) return same(m);
      if (input.continue !== undefined) {
        return {
          machine: m.connected ? m : { ...m, connected: true },
          commands: [
            {
              do: 'list',
              params: { limit: rules.pageSize, continue: input.continue },
              begins: false,
              relist: s.relist,
            },
          ],
        };
      }
      return listed(m, input.resourceVersion, false, env);
    case 'initial-events-end':
      return s.phase === 'listing' && s.streaming ? listed(m, input.resourceVersion, true, env) : same(m);
    case 'event':
    case 'bookmark': {
      if (s.phase !== 'watching') return same(m);
      // Something arrived: the watch works, so the next failure starts the backoff afresh.
      if (s.delivered && m.failures === 0 && m.backoffs === 0)
        return { machine: { ...m, resourceVersion: input.resourceVersion }, commands: NONE };
      return {
        machine: {
          ...m,
          resourceVersion: input.resourceVersion,
          state: s.delivered ? s : { ...s, delivered: true },
          failures: 0,
          backoffs: 0,
          connected: true,
        },
        commands: NONE,
      };
    }
    case 'closed': {
      if (s.phase === 'backoff') return same(m);
      const quick =
        s.phase === 'watching'
          ? !s.delivered && env.now - s.openedAt < rules.quickCloseMs
          : env.now - s.since < rules.quickCloseMs;
      if (quick) {
        const error = new ConnectionError('the server closed the watch at once', 'EWATCHCLOSED', {
          ...rules.context,
          verb: s.phase === 'listing' ? 'list' : 'watch',
        });
        return failure(m, error, rules, env, false);
      }
      if (s.phase === 'listing') {
        // A streaming list that ended before its closing bookmark: list again.
        return beginList({ ...m, restarts: m.restarts + 1, lastReason: 'watch closed' }, rules, env);
      }
      // A watch that ran its course is a success: resume at once from where it got to.
      return watchAgain({ ...m, failures: 0, backoffs: 0 }, 'watch closed', env);
    }
    case 'watch-list-unsupported':
      return s.phase === 'listing' && s.streaming ? unsupportedWatchList(m, input.why, rules, env) : same(m);
    case 'error':
      return failure(m, input.error, rules, env);
    case 'retry':
      if (s.phase !== 'backoff') return same(m);
      if (s.then === 'list') return beginList(m, rules, env, m.lastReason);
      return watchAgain(m, m.lastReason ?? 'retry', env);
  }
}

/** The health fields a machine determines. */
export function healthOf(m: ReflectorMachine): Partial<InformerHealth> {
  const s = m.state;
  const phase: InformerPhase =
    s.phase === 'listing' ? (s.relist ? 'relisting' : 'listing') : s.phase === 'stopped' ? 'idle' : s.phase;
  return {
    phase,
    attempt: m.failures,
    retryAt: s.phase === 'backoff' ? s.retryAt : undefined,
    relists: m.relists,
    restarts: m.restarts,
    lastError: m.lastError,
    lastReason: m.lastReason,
    ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
  };
}

function same(m: ReflectorMachine): ReflectorStep {
  return { machine: m, commands: NONE };
}

function beginList(
  m: ReflectorMachine,
  rules: ReflectorRules,
  env: ReflectorEnv,
  reason?: string,
): ReflectorStep {
  const relist = m.listedOnce;
  const machine: ReflectorMachine = {
    ...m,
    state: { phase: 'listing', streaming: m.watchList, relist, since: env.now },
    relists: m.relists + (relist ? 1 : 0),
  };
  const why = reason === undefined ? {} : { reason };
  if (m.watchList) {
    const params: WatchFrom = {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      ...(m.consistentList || m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
    };
    return { machine, commands: [{ do: 'watch', params, begins: true, relist, ...why }] };
  }
  const params: ListParams = {
    limit: rules.pageSize,
    ...(m.consistentList ? {} : { resourceVersion: '0' }),
  };
  return { machine, commands: [{ do: 'list', params, begins: true, relist, ...why }] };
}

function listed(
  m: ReflectorMachine,
  resourceVersion: string,
  streaming: boolean,
  env: ReflectorEnv,
): ReflectorStep {
  const machine: ReflectorMachine = {
    ...m,
    state: { phase: 'watching', openedAt: env.now, delivered: streaming },
    resourceVersion,
    listedOnce: true,
    consistentList: false,
    connected: true,
    failures: 0,
    backoffs: 0,
  };
  const done: ReflectorCommand = { do: 'listed', resourceVersion };
  // A streaming list goes on as the watch; after a LIST, the watch starts where it ended.
  if (streaming) return { machine, commands: [done] };
  return {
    machine,
    commands: [done, { do: 'watch', params: { resourceVersion }, begins: false, relist: false }],
  };
}

function watchAgain(m: ReflectorMachine, reason: string, env: ReflectorEnv): ReflectorStep {
  return {
    machine: {
      ...m,
      state: { phase: 'watching', openedAt: env.now, delivered: false },
      restarts: m.restarts + 1,
      lastReason: reason,
    },
    commands: [
      {
        do: 'watch',
        params: m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion },
        begins: false,
        relist: false,
        reason,
      },
    ],
  };
}

function unsupportedWatchList(
  m: ReflectorMachine,
  why: string,
  rules: ReflectorRules,
  env: ReflectorEnv,
): ReflectorStep {
  if (!rules.watchListFallback) {
    const error = new DecodeError(`the server does not support streaming lists (${why})`, '', {
      ...rules.context,
      verb: 'list',
    });
    return fail(m, error);
  }
  return beginList({ ...m, watchList: false }, rules, env, `streaming list unsupported: ${why}`);
}

function fail(m: ReflectorMachine, error: Error): ReflectorStep {
  return {
    machine: { ...m, state: { phase: 'failed', error }, lastError: error },
    commands: [{ do: 'fail', error }],
  };
}

function failure(
  m: ReflectorMachine,
  error: Error,
  rules: ReflectorRules,
  env: ReflectorEnv,
  /** Whether a first drop may be retried at once (not for a watch the server refuses to keep open). */
  atOnce = true,
): ReflectorStep {
  const s = m.state;
  const streaming = s.phase === 'listing' && s.streaming;
  if (streaming && rules.watchListFallback && error instanceof InvalidRequestError) {
    return unsupportedWatchList(m, error.message, rules, env);
  }
  // A TLS failure of an informer that connected before (a rotated certificate) is retried.
  const transient =
    error instanceof RxInformerError &&
    (error.transient || (error instanceof ConnectionError && error.tls && m.connected));
  if (!transient) return fail(m, error);
  const expired = error instanceof ExpiredError;
  const reason = reasonOf(error);
  const inList = s.phase === 'listing' || !m.listedOnce || expired;
  const failures = m.failures + 1;
  const base: ReflectorMachine = {
    ...m,
    failures,
    lastFailureAt: env.now,
    lastError: error,
    lastReason: reason,
    ...(expired ? { consistentList: true } : {}),
  };
  if (m.failures === 0) {
    // A 410 after a healthy stretch is routine (compaction): relist at once.
    if (expired) return beginList(base, rules, env, `${reason}, relisting`);
    // So is a dropped connection: resume at once; a second failure in a row backs off.
    if (atOnce && s.phase === 'watching' && error instanceof ConnectionError && !error.tls)
      return watchAgain(base, reason, env);
  }
  const quiet = env.now - m.lastFailureAt >= (rules.backoff.resetAfterMs ?? 120_000);
  const backoffs = quiet ? 0 : m.backoffs;
  const delayMs = backoffDelay(
    rules.backoff,
    backoffs,
    env.random,
    error instanceof ServerBusyError ? error.retryAfterMs : undefined,
  );
  return {
    machine: {
      ...base,
      backoffs: backoffs + 1,
      state: { phase: 'backoff', then: inList ? 'list' : 'watch', retryAt: env.now + delayMs },
    },
    commands: [{ do: 'wait', delayMs, error }],
  };
}

function reasonOf(error: Error): string {
  if (error instanceof KubeApiError) return `${error.code} ${error.reason}`;
  if (error instanceof ConnectionError) return error.code;
  return error.name;
}
