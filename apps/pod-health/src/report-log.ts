import type { Logger } from '@rxinformer/core';
import type { HealthReport, UnhealthyPod } from './unhealthy-pods.js';

const LISTED = 20;

function describePod(entry: UnhealthyPod): string {
  const problems = entry.problems.map(
    (p) => `${p.reason}${p.container ? ` (${p.container})` : ''}: ${p.detail}`,
  );
  return `${entry.pod}${entry.node ? ` on ${entry.node}` : ''}: ${problems.join('; ')}`;
}

/**
 * Whether a report is worth a log line: the first one, and then those where a pod became
 * unhealthy (or changed reasons) or recovered.
 *
 * @example
 * ```ts
 * const tracker = new UnhealthyPods({ restarts: 5, notReadyMs: 300_000 });
 * let first = true;
 * const report = tracker.report(Date.now());
 * if (isNews(report, first)) logReport(logger, report, 'json');
 * first = false;
 * ```
 */
export function isNews(report: HealthReport, first: boolean): boolean {
  return first || report.newlyUnhealthy.length > 0 || report.recovered.length > 0;
}

/**
 * Logs one report as one entry: `warn` when pods are unhealthy, else `info`. In JSON the fields
 * carry every unhealthy pod (up to 500) with its problems; in pretty mode the message lists them,
 * one a line, up to 20.
 *
 * @example
 * ```ts
 * const tracker = new UnhealthyPods({ restarts: 5, notReadyMs: 300_000 });
 * logReport(logger, tracker.report(Date.now()), 'pretty');
 * // WARN 2 of 200 pods unhealthy (2 new)
 * //   sim-00/app-1-0000x on node-3: CrashLoopBackOff (app-1): back-off restarting failed container
 * ```
 */
export function logReport(logger: Logger, report: HealthReport, format: 'json' | 'pretty'): void {
  const count = report.unhealthy.length;
  const changes = [
    report.newlyUnhealthy.length > 0 ? `${report.newlyUnhealthy.length} new` : '',
    report.recovered.length > 0 ? `${report.recovered.length} recovered` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const summary = `${count} of ${report.pods} pods unhealthy${changes ? ` (${changes})` : ''}`;
  const level = count > 0 ? 'warn' : 'info';
  if (format === 'pretty') {
    const lines = report.unhealthy
      .slice(0, LISTED)
      .map((u) => `\n  ${report.newlyUnhealthy.includes(u.pod) ? '+' : ' '} ${describePod(u)}`);
    if (count > LISTED) lines.push(`\n    … and ${count - LISTED} more`);
    const recovered = report.recovered.slice(0, LISTED).map((key) => `\n  - ${key}: recovered`);
    logger[level]({}, `${summary}${lines.join('')}${recovered.join('')}`);
    return;
  }
  logger[level](
    {
      pods: report.pods,
      unhealthy: count,
      newlyUnhealthy: report.newlyUnhealthy,
      recovered: report.recovered,
      problems: report.unhealthy
        .slice(0, 500)
        .map((u) => ({ pod: u.pod, node: u.node, problems: u.problems })),
    },
    summary,
  );
}
