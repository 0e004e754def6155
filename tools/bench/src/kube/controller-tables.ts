import { fmt, line } from '../format.js';
import type { ResultRecord } from '../report.js';

/** Scenarios whose records describe an operator, not a subject: printed by {@link controllerTables}. */
export const CONTROLLER_SCENARIOS: readonly string[] = ['read-your-writes', 'failover'];

/** What read-your-writes must achieve, on against off. */
export const READ_YOUR_WRITES_TARGETS = {
  /** At least this many times fewer 409s with it on. */
  fewerConflicts: 10,
  /** Duplicate creates (AlreadyExists) with it on. */
  duplicateCreates: 0,
  /** At most this many times the reconciles per change of off. */
  reconcileRatio: 1.2,
} as const;

/** The outcome of {@link readYourWritesVerdict}: one line, and whether every target was met. */
export interface Verdict {
  readonly pass: boolean;
  readonly line: string;
}

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/**
 * Compares the read-your-writes runs off and on against {@link READ_YOUR_WRITES_TARGETS}: 409s
 * (Conflict and AlreadyExists) at least 10× fewer (none with it on passes, whatever off had),
 * no duplicate create, at most 1.2× the reconciles per change.
 *
 * @example
 * ```ts
 * readYourWritesVerdict({ conflicts: 40, already_exists: 10, reconciles_per_change: 2 }, { conflicts: 2, already_exists: 0, reconciles_per_change: 2.1 });
 * // { pass: true, line: 'verdict PASS: 409s 50 off → 2 on (25.0× fewer, target ≥10×: ok); …' }
 * ```
 */
export function readYourWritesVerdict(
  off: Pick<ResultRecord, 'conflicts' | 'already_exists' | 'reconciles_per_change'>,
  on: Pick<ResultRecord, 'conflicts' | 'already_exists' | 'reconciles_per_change'>,
): Verdict {
  const t = READ_YOUR_WRITES_TARGETS;
  const offConflicts = (off.conflicts ?? 0) + (off.already_exists ?? 0);
  const onConflicts = (on.conflicts ?? 0) + (on.already_exists ?? 0);
  const fewer = onConflicts * t.fewerConflicts <= offConflicts;
  const factor =
    onConflicts === 0
      ? offConflicts === 0
        ? 'none either way'
        : '∞× fewer'
      : `${fmt(offConflicts / onConflicts, 1)}× fewer`;
  const duplicates = on.already_exists ?? 0;
  const noDuplicates = duplicates <= t.duplicateCreates;
  const ratio =
    off.reconciles_per_change && on.reconciles_per_change !== undefined
      ? on.reconciles_per_change / off.reconciles_per_change
      : undefined;
  const reconciles = ratio !== undefined && ratio <= t.reconcileRatio;
  const pass = fewer && noDuplicates && reconciles;
  return {
    pass,
    line: [
      `verdict ${pass ? 'PASS' : 'FAIL'}: 409s ${offConflicts} off → ${onConflicts} on (${factor}, target ≥${t.fewerConflicts}×: ${mark(fewer)})`,
      `duplicate creates on ${duplicates} (target ${t.duplicateCreates}: ${mark(noDuplicates)})`,
      `reconciles per change on/off ${ratio === undefined ? '?' : `${fmt(ratio, 2)}×`} (target ≤${t.reconcileRatio}×: ${mark(reconciles)})`,
    ].join('; '),
  };
}

function readYourWritesTable(rows: readonly ResultRecord[]): string[] {
  const header = [
    'server',
    'operator',
    'Websites',
    'changes',
    '409 Conflict',
    'AlreadyExists (duplicate creates)',
    'stale writes',
    'reconcile errors',
    'reconciles',
    'reconciles/change',
    'setup s',
    'converge s',
    'notes',
  ];
  const off = rows.find((r) => r.subject.includes('off'));
  const on = rows.find((r) => r.subject.includes(' on'));
  return [
    line(header),
    line(header.map(() => '---')),
    ...rows.map((r) =>
      line([
        r.server ?? '',
        r.subject,
        fmt(r.objects),
        fmt(r.changes),
        fmt(r.conflicts),
        fmt(r.already_exists),
        fmt(r.stale_writes),
        fmt(r.reconcile_errors),
        fmt(r.reconciles),
        fmt(r.reconciles_per_change, 2),
        fmt(r.setup_s, 2),
        fmt(r.converge_s, 2),
        r.errors?.length ? `ERROR: ${r.errors[0]!.slice(0, 120)}` : '',
      ]),
    ),
    ...(off && on ? ['', readYourWritesVerdict(off, on).line] : []),
  ];
}

function failoverTable(rows: readonly ResultRecord[]): string[] {
  const header = [
    'server',
    'standby',
    'Websites',
    'kill → leader ms',
    'kill → first reconcile ms',
    'leader → first reconcile ms',
    'kill → changed Website converged ms',
    'notes',
  ];
  return [
    line(header),
    line(header.map(() => '---')),
    ...rows.map((r) =>
      line([
        r.server ?? '',
        r.subject,
        fmt(r.objects),
        fmt(r.takeover_ms),
        fmt(r.first_reconcile_ms),
        fmt(
          r.first_reconcile_ms !== undefined && r.takeover_ms !== undefined
            ? r.first_reconcile_ms - r.takeover_ms
            : undefined,
        ),
        fmt(r.changed_reconciled_ms),
        r.errors?.length ? `ERROR: ${r.errors[0]!.slice(0, 120)}` : '',
      ]),
    ),
  ];
}

/**
 * The operator scenarios' tables, in the style of the subjects' table: read-your-writes off
 * and on with the verdict line, then failover to a warm and a cold standby. Empty when the
 * results hold neither.
 *
 * @example
 * ```ts
 * process.stdout.write(`${controllerTables(report.results)}\n`);
 * ```
 */
export function controllerTables(results: readonly ResultRecord[]): string {
  const ryw = results.filter((r) => r.scenario === 'read-your-writes');
  const failover = results.filter((r) => r.scenario === 'failover');
  const parts: string[][] = [];
  if (ryw.length) parts.push(readYourWritesTable(ryw));
  if (failover.length) parts.push(failoverTable(failover));
  return parts.map((p) => p.join('\n')).join('\n\n');
}
