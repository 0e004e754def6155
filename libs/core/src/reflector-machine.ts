import { backoffDelay } from './backoff.js';
import {
  ConnectionError,
  DecodeError,
  ExpiredError,
  InvalidRequestError,
  KubeApiError,
  RxInformerError,
  ServerBusyError,
} from './errors.js';
import type { InformerHealth, InformerPhase } from './health.js';
import {
  STOPPED,
  type ReflectorCommand,
  type ReflectorEnv,
  type ReflectorInput,
  type ReflectorMachine,
  type ReflectorRules,
  type ReflectorStep,
  type WatchFrom,
} from './reflector-state.js';
import type { ListParams } from './transport/types.js';

const NONE: readonly ReflectorCommand[] = Object.freeze([]);

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
