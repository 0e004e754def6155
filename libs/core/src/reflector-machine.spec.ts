import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  ExpiredError,
  ForbiddenError,
  InvalidRequestError,
  ServerBusyError,
  UserCodeError,
  idleHealth,
} from './index.js';
import { healthOf, stepReflector } from './reflector-machine.js';
import {
  initialMachine,
  type ReflectorCommand,
  type ReflectorInput,
  type ReflectorMachine,
  type ReflectorRules,
} from './reflector-state.js';

const context = { verb: 'list' as const, resource: 'things' };
const rules: ReflectorRules = {
  pageSize: 500,
  watchListFallback: true,
  backoff: {},
  quickCloseMs: 1000,
  context,
};
const status = (code: number, reason: string) => ({ kind: 'Status', code, reason, message: reason });
const drop = () => new ConnectionError('reset', 'ECONNRESET', { ...context, verb: 'watch' });

/** Feeds inputs at the given times (ms) and returns the machine and every command, in order. */
function feed(
  steps: readonly [number, ReflectorInput][],
  options: { watchList?: boolean; rules?: Partial<ReflectorRules>; random?: number } = {},
) {
  let machine: ReflectorMachine = initialMachine(options.watchList ?? false, idleHealth);
  const commands: (ReflectorCommand & { at: number })[] = [];
  for (const [at, input] of steps) {
    const step = stepReflector(
      machine,
      input,
      { ...rules, ...options.rules },
      {
        now: at,
        random: () => options.random ?? 0,
      },
    );
    machine = step.machine;
    for (const command of step.commands) commands.push({ ...command, at });
  }
  return { machine, commands, does: commands.map((c) => `${c.at} ${c.do}`) };
}

const start: [number, ReflectorInput] = [0, { type: 'start' }];
const listed: [number, ReflectorInput] = [5, { type: 'page', resourceVersion: '10', continue: undefined }];

describe('stepReflector: the reflector state machine', () => {
  it('lists from the watch cache page by page, then watches from the list resourceVersion', () => {
    const { machine, commands } = feed([
      start,
      [2, { type: 'page', resourceVersion: '9', continue: 'next' }],
      [4, { type: 'page', resourceVersion: '10', continue: undefined }],
    ]);
    expect(commands).toEqual([
      { at: 0, do: 'list', params: { limit: 500, resourceVersion: '0' }, begins: true, relist: false },
      { at: 2, do: 'list', params: { limit: 500, continue: 'next' }, begins: false, relist: false },
      { at: 4, do: 'listed', resourceVersion: '10' },
      { at: 4, do: 'watch', params: { resourceVersion: '10' }, begins: false, relist: false },
    ]);
    expect(machine.state).toEqual({ phase: 'watching', openedAt: 4, delivered: false });
    expect(healthOf(machine)).toMatchObject({ phase: 'watching', resourceVersion: '10', attempt: 0 });
  });

  it('streams the initial list when asked, and goes on watching on the same stream', () => {
    const { machine, commands } = feed([start, [3, { type: 'initial-events-end', resourceVersion: '10' }]], {
      watchList: true,
    });
    expect(commands.map((c) => c.do)).toEqual(['watch', 'listed']);
    expect(commands[0]).toMatchObject({
      params: { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' },
      begins: true,
    });
    expect(machine.state).toMatchObject({ phase: 'watching', delivered: true });
  });

  it('falls back to LIST when the server does not support streaming lists, or fails without fallback', () => {
    const unsupported: [number, ReflectorInput] = [1, { type: 'watch-list-unsupported', why: 'MODIFIED' }];
    expect(feed([start, unsupported], { watchList: true }).commands[1]).toMatchObject({
      do: 'list',
      begins: true,
    });
    const refused: [number, ReflectorInput] = [
      1,
      { type: 'error', error: new InvalidRequestError(status(400, 'BadRequest'), context) },
    ];
    const fellBack = feed([start, refused], { watchList: true });
    expect(fellBack.machine.watchList).toBe(false);
    expect(fellBack.does).toEqual(['0 watch', '1 list']);
    const strict = feed([start, unsupported], { watchList: true, rules: { watchListFallback: false } });
    expect(strict.machine.state.phase).toBe('failed');
    expect(strict.does).toEqual(['0 watch', '1 fail']);
  });

  it('watches again at once when the server ends a watch, and counts it as a restart', () => {
    const { machine, commands } = feed([
      start,
      listed,
      [100, { type: 'event', resourceVersion: '11' }],
      [300_000, { type: 'closed' }],
    ]);
    expect(commands.at(-1)).toMatchObject({ at: 300_000, do: 'watch', params: { resourceVersion: '11' } });
    expect(machine).toMatchObject({ restarts: 1, lastReason: 'watch closed', failures: 0 });
  });

  it('backs off when a watch closes at once without sending anything', () => {
    const { machine, does } = feed([start, listed, [6, { type: 'closed' }]]);
    expect(does).toEqual(['0 list', '5 listed', '5 watch', '6 wait']);
    expect(machine.state).toEqual({ phase: 'backoff', then: 'watch', retryAt: 806 });
  });

  it('answers a first drop at once, backs off on the next, and resets once events flow again', () => {
    const { commands, machine } = feed([
      start,
      listed,
      [10, { type: 'error', error: drop() }],
      [20, { type: 'error', error: drop() }],
      [820, { type: 'retry' }],
      [900, { type: 'event', resourceVersion: '12' }],
      [1_000, { type: 'error', error: drop() }],
    ]);
    expect(commands.slice(3).map((c) => `${c.at} ${c.do}${c.do === 'wait' ? ` ${c.delayMs}` : ''}`)).toEqual([
      '10 watch',
      '20 wait 800',
      '820 watch',
      '1000 watch',
    ]);
    expect(machine).toMatchObject({ failures: 1, backoffs: 0, restarts: 3 });
  });

  it('backs off from the first failure of other kinds, exponentially, honouring Retry-After', () => {
    const busy = new ServerBusyError(status(429, 'TooManyRequests'), context, 5_000);
    const listFails = new ServerBusyError(status(500, 'InternalError'), context);
    const { commands } = feed(
      [
        start,
        [1, { type: 'error', error: listFails }],
        [1_601, { type: 'retry' }],
        [1_602, { type: 'error', error: listFails }],
        [4_802, { type: 'retry' }],
        [4_803, { type: 'error', error: busy }],
      ],
      { random: 1 },
    );
    const waits = commands.filter((c) => c.do === 'wait').map((c) => (c.do === 'wait' ? c.delayMs : 0));
    expect(waits).toEqual([1_600, 3_200, 6_400]);
    expect(commands.filter((c) => c.do === 'list')).toHaveLength(3);
    const honoured = feed([start, [1, { type: 'error', error: busy }]]);
    expect(honoured.commands[1]).toMatchObject({ do: 'wait', delayMs: 5_000 });
  });

  it('relists at once with a consistent read on a first 410, and backs off on a repeated one', () => {
    const expired = () => new ExpiredError(status(410, 'Expired'), context);
    const { commands, machine } = feed([
      start,
      listed,
      [50, { type: 'error', error: expired() }],
      [51, { type: 'error', error: expired() }],
      [900, { type: 'retry' }],
    ]);
    expect(commands.slice(3).map((c) => `${c.at} ${c.do}`)).toEqual(['50 list', '51 wait', '900 list']);
    expect(commands[3]).toMatchObject({ params: { limit: 500 }, begins: true, relist: true });
    expect(machine).toMatchObject({ relists: 2, consistentList: true });
    expect(healthOf(machine).phase).toBe('relisting');
  });

  it('fails on an error retrying cannot fix, and ignores everything after', () => {
    const forbidden = new ForbiddenError(status(403, 'Forbidden'), context);
    const { machine, does } = feed([
      start,
      [1, { type: 'error', error: forbidden }],
      [2, { type: 'retry' }],
      [3, { type: 'page', resourceVersion: '1', continue: undefined }],
    ]);
    expect(does).toEqual(['0 list', '1 fail']);
    expect(machine.state).toEqual({ phase: 'failed', error: forbidden });
    expect(healthOf(machine)).toMatchObject({ phase: 'failed', lastError: forbidden, retryAt: undefined });
  });

  it('fails on a TLS failure before any answer, and retries one after the server has answered', () => {
    const tls = () => new ConnectionError('bad cert', 'CERT_HAS_EXPIRED', context, { tls: true });
    expect(feed([start, [1, { type: 'error', error: tls() }]]).machine.state.phase).toBe('failed');
    const later = feed([start, listed, [10, { type: 'error', error: tls() }]]);
    expect(later.machine.state).toMatchObject({ phase: 'backoff', then: 'watch' });
  });

  it('retries a list that user code failed on, from the start, after a backoff', () => {
    const thrown = new UserCodeError('transform', 'ns/a', new Error('boom'));
    const { commands, machine } = feed([
      start,
      [1, { type: 'error', error: thrown }],
      [801, { type: 'retry' }],
    ]);
    expect(commands.map((c) => `${c.at} ${c.do}`)).toEqual(['0 list', '1 wait', '801 list']);
    expect(commands[2]).toMatchObject({ begins: true, relist: false });
    expect(machine.lastError).toBe(thrown);
  });

  it('retries a watch event that user code failed on from the resourceVersion before it', () => {
    const thrown = new UserCodeError('indexer', 'ns/b', new Error('boom'), { source: 'byNode' });
    const { commands } = feed([
      start,
      listed,
      [20, { type: 'event', resourceVersion: '11' }],
      [30, { type: 'error', error: thrown }],
      [830, { type: 'retry' }],
    ]);
    expect(commands.at(-1)).toMatchObject({ at: 830, do: 'watch', params: { resourceVersion: '11' } });
  });

  it('stops on stop and starts afresh only from stopped', () => {
    const { machine, does } = feed([
      start,
      [1, { type: 'start' }],
      [2, { type: 'stop' }],
      [3, { type: 'page', resourceVersion: '1', continue: undefined }],
    ]);
    expect(does).toEqual(['0 list']);
    expect(healthOf(machine).phase).toBe('idle');
  });
});
