// `npm run chaos -- [--seed N] [--seeds K] [--faults N] [--minutes M]`: seeded chaos runs of an
// informer against the simulator. Prints each run's faults and the mismatches (must be 0) and
// exits non-zero on any mismatch, violation or escaped error. Reproduce a failure with its seed.
import { parseArgs } from 'node:util';
import { FAULT_KINDS, runChaos, type ChaosResult } from './convergence.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '1' },
    faults: { type: 'string', default: '2000' },
    minutes: { type: 'string' },
    'retry-after': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`usage: npm run chaos -- [--seed N] [--seeds K] [--faults N] [--minutes M] [--retry-after S]
  --seed N        first seed (default: random, printed)
  --seeds K       runs with seeds N, N+1, ... (default 1; with --minutes: until time is up)
  --faults N      faults per run (default 2000)
  --minutes M     keep starting runs until M minutes have passed
  --retry-after S Retry-After seconds of injected 429/503 (default 0)`);
  process.exit(0);
}

const firstSeed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const faultsPerRun = Number(values.faults);
const deadline = values.minutes !== undefined ? Date.now() + Number(values.minutes) * 60_000 : undefined;
const maxRuns = deadline === undefined ? Number(values.seeds) : Number.POSITIVE_INFINITY;
const retryAfterSeconds = Number(values['retry-after']);

const results: ChaosResult[] = [];
console.log(
  `chaos: first seed ${firstSeed}, ${faultsPerRun} faults per run${deadline ? `, for ${values.minutes} min` : `, ${maxRuns} run(s)`}`,
);
for (let i = 0; i < maxRuns && (deadline === undefined || Date.now() < deadline); i++) {
  const seed = firstSeed + i;
  const remaining = deadline === undefined ? undefined : Math.max(1000, deadline - Date.now());
  const result = await runChaos({
    seed,
    faults: faultsPerRun,
    retryAfterSeconds,
    ...(remaining !== undefined ? { maxFaultPhaseMs: remaining } : {}),
    progress: (line) => console.log(`  ${line}`),
  });
  results.push(result);
  const bad = result.mismatches.length + result.violationCount + result.escaped.length;
  console.log(
    `seed ${seed}: ${result.faultsInjected} faults (${FAULT_KINDS.map((k) => `${k} ${result.faults[k]}`).join(', ')}), ` +
      `${result.writes.created + result.writes.updated + result.writes.deleted} writes, ` +
      `events +${result.delivered.added} ~${result.delivered.modified} -${result.delivered.deleted} (${result.delivered.deletedFinalStateUnknown} finalStateUnknown), ` +
      `relists ${result.health.relists}, restarts ${result.health.restarts}, ${result.requests} requests; ` +
      `${result.converged ? `converged in ${result.convergeMs} ms` : 'DID NOT CONVERGE'}; mismatches ${result.mismatches.length}, violations ${result.violationCount} ${JSON.stringify(result.violationKinds)}, escaped ${result.escaped.length}`,
  );
  for (const line of [...result.mismatches, ...result.violations, ...result.escaped].slice(0, 20))
    console.log(`    ! ${line}`);
  if (bad > 0) console.log(`  reproduce: npm run chaos -- --seed ${seed} --faults ${faultsPerRun}`);
}

// A run "survived" its faults when the informer converged on the server's state and no error
// escaped; invariant violations (stale or inconsistent events, unreported deletions) are counted
// on top and fail the run as well.
const unreported = (r: ChaosResult) =>
  r.mismatches.filter((m) => m.includes('never reported DELETED')).length;
const survived = results.filter(
  (r) => r.converged && r.mismatches.length === unreported(r) && r.escaped.length === 0,
);
const totals = {
  runs: results.length,
  faults: results.reduce((a, r) => a + r.faultsInjected, 0),
  survived: survived.reduce((a, r) => a + r.faultsInjected, 0),
  storeMismatches: results.reduce((a, r) => a + r.mismatches.length - unreported(r), 0),
  unreportedDeletions: results.reduce((a, r) => a + unreported(r), 0),
  violations: results.reduce((a, r) => a + r.violationCount, 0),
  escaped: results.reduce((a, r) => a + r.escaped.length, 0),
};
const kinds: Record<string, number> = {};
for (const r of results)
  for (const [k, v] of Object.entries(r.violationKinds)) kinds[k] = (kinds[k] ?? 0) + v;
console.log(
  `\nchaos total: ${totals.runs} seed(s) from ${firstSeed}, ${totals.faults} faults injected, ${totals.survived} survived (converged, nothing escaped); ` +
    `mismatches ${totals.storeMismatches + totals.unreportedDeletions} (store vs server ${totals.storeMismatches}, unreported deletions ${totals.unreportedDeletions}, at most 20 listed per run), ` +
    `violations ${totals.violations} ${JSON.stringify(kinds)}, escaped errors ${totals.escaped}`,
);
const bad = totals.storeMismatches + totals.unreportedDeletions + totals.violations + totals.escaped;
process.exit(bad > 0 || survived.length !== results.length ? 1 : 0);
