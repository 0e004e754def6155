#!/usr/bin/env node
import { Pods } from '@rxinformer/core';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKubeApiServer } from './server/kube-api-server.js';
import { churn, type ChurnRun } from './workload/churn.js';
import { populate } from './workload/populate.js';

const HELP = `rxinformer-sim — a simulated Kubernetes API server (HTTPS, bearer token) for demos and benchmarks

Usage: rxinformer-sim [options]

Options:
  --port N              port on 127.0.0.1 (default: a random free port)
  --token T             bearer token clients must send (default: rxinformer-sim-token)
  --kubeconfig-out P    write a kubeconfig for the server to P (default: ./rxinformer-sim.kubeconfig)
  --pods N              create N realistic pods at start (default: 0)
  --namespaces N        spread them over N namespaces sim-00.. (default: 10)
  --pod-bytes B         approximate size of one pod in bytes (default: 6000)
  --churn RATE          then update/create/delete pods at RATE writes per second (default: off)
  --seed S              seed for names, uids and the workload (default: 1)
  --bookmark-interval MS  watch bookmark interval (default: 60000)
  --history N           events kept per resource; older resourceVersions get 410 (default: 10000)
  -h, --help            show this help

Stops cleanly on SIGINT or SIGTERM.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      'kubeconfig-out': { type: 'string' },
      pods: { type: 'string' },
      namespaces: { type: 'string' },
      'pod-bytes': { type: 'string' },
      churn: { type: 'string' },
      seed: { type: 'string' },
      'bookmark-interval': { type: 'string' },
      history: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const number = (name: string, text: string | undefined, fallback: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`--${name} must be a non-negative number, got '${text}'`);
    return n;
  };
  const seed = number('seed', values.seed, 1);
  const server = await createKubeApiServer({
    port: number('port', values.port, 0),
    seed,
    bookmarkIntervalMs: number('bookmark-interval', values['bookmark-interval'], 60_000),
    historySize: number('history', values.history, 10_000),
    ...(values.token === undefined ? {} : { token: values.token }),
  });
  const kubeconfig = resolve(values['kubeconfig-out'] ?? 'rxinformer-sim.kubeconfig');
  await server.writeKubeconfig(kubeconfig);
  const pods = number('pods', values.pods, 0);
  const workload = {
    namespaces: number('namespaces', values.namespaces, 10),
    seed,
    bytes: number('pod-bytes', values['pod-bytes'], 6000),
  };
  if (pods > 0) {
    const stats = await populate(server, { resource: Pods, count: pods, ...workload });
    process.stdout.write(`created ${stats.created} pods (~${stats.averageBytes} bytes each)\n`);
  }
  let run: ChurnRun | undefined;
  const rate = number('churn', values.churn, 0);
  if (rate > 0) run = churn(server, { resource: Pods, ratePerSecond: rate, ...workload });
  process.stdout.write(
    [
      `rxinformer-sim listening on ${server.url}${run ? ` (churning pods at ${rate}/s)` : ''}`,
      `kubeconfig written to ${kubeconfig}`,
      '',
      'Point kubectl at it with:',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl get pods -A',
      '',
    ].join('\n'),
  );
  return new Promise((done) => {
    const stop = (signal: string): void => {
      process.stdout.write(`\n${signal}: stopping\n`);
      void (async () => {
        const stats = await run?.stop();
        if (stats)
          process.stdout.write(`churn: ${stats.events} writes (${Math.round(stats.ratePerSecond)}/s)\n`);
        await server.close();
        done(0);
      })();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rxinformer-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
