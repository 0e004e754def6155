import { fmt, line } from './format.js';
import { CONTROLLER_SCENARIOS, controllerTables } from './kube/controller-tables.js';

/** One row of the results: the medians of a (scenario, subject) over the repetitions. */
export interface ResultRecord {
  scenario: string;
  subject: string;
  /** The backend the subject ran against: `replay` (src/server) or `kube-apiserver` (--server kube). */
  server?: 'replay' | 'kube-apiserver';
  objects?: number;
  events?: number;
  seconds?: number;
  events_per_s?: number;
  max_stall_ms?: number;
  heap_bytes_per_object?: number;
  peak_rss_bytes?: number;
  list_requests?: number;
  watch_requests?: number;
  p50_ms?: number;
  p99_ms?: number;
  // Beyond the required schema:
  max_ms?: number;
  cpu_us_per_event?: number;
  subscribers?: number;
  json_bytes_per_object?: number;
  relist_peak_rss_ratio?: number;
  relist_peak_heap_ratio?: number;
  same_rv_updates?: number;
  us_per_event_per_extra_subscriber?: number;
  repetitions?: number;
  errors?: string[];
  // read-your-writes (the sample operator on kube-apiserver), see kube/read-your-writes.ts:
  /** Spec changes the operator had to converge: the Websites created plus the churn's changes. */
  changes?: number;
  /** 409s with reason Conflict the operator's writes got. */
  conflicts?: number;
  /** 409s with reason AlreadyExists: creates of objects that existed (duplicate creates). */
  already_exists?: number;
  /** Writes made on a cache older than the operator's own last write of that object. */
  stale_writes?: number;
  /** Reconciles that threw (the controller retried them with backoff). */
  reconcile_errors?: number;
  reconciles?: number;
  reconciles_per_change?: number;
  /** From the operator's start until every Website converged. */
  setup_s?: number;
  /** From the churn's last change until every Website converged. */
  converge_s?: number;
  // failover (kube/failover.ts), milliseconds from killing the leader:
  takeover_ms?: number;
  first_reconcile_ms?: number;
  changed_reconciled_ms?: number;
}

export interface BenchReport {
  mode: 'quick' | 'full';
  node: string;
  cpu: string;
  date: string;
  results: ResultRecord[];
}

export function median(values: readonly number[]): number | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1]! + v[mid]!) / 2;
}

/** Folds the repetitions of one (scenario, subject) into one record of medians. */
export function aggregate(records: readonly ResultRecord[]): ResultRecord {
  const first = records[0]!;
  const out: ResultRecord = {
    scenario: first.scenario,
    subject: first.subject,
    ...(first.server ? { server: first.server } : {}),
    repetitions: records.length,
  };
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  for (const key of keys) {
    if (key === 'scenario' || key === 'subject' || key === 'server' || key === 'repetitions') continue;
    if (key === 'errors') {
      const errors = records.flatMap((r) => r.errors ?? []);
      if (errors.length) out.errors = errors;
      continue;
    }
    const m = median(
      records.map((r) => (r as unknown as Record<string, number>)[key]!).filter((x) => x !== undefined),
    );
    if (m !== undefined) (out as unknown as Record<string, number>)[key] = m;
  }
  return out;
}

/** The results as markdown tables: the subjects' scenarios, then the operator's ({@link controllerTables}). */
export function markdownTable(report: BenchReport): string {
  const subjects = report.results.filter((r) => !CONTROLLER_SCENARIOS.includes(r.scenario));
  const controllers = controllerTables(report.results);
  const title = `Mode ${report.mode}, ${report.node}, ${report.cpu}, ${report.date}. Medians of the repetitions.`;
  if (subjects.length === 0 && controllers) return [title, '', controllers].join('\n');
  const table = subjectsTable({ ...report, results: subjects }, title);
  return controllers ? [table, '', controllers].join('\n') : table;
}

function subjectsTable(report: BenchReport, title: string): string {
  const header = [
    'server',
    'scenario',
    'subject',
    'objects',
    'events',
    'seconds',
    'events/s',
    'CPU µs/event',
    'max stall ms',
    'heap B/object',
    'peak RSS MB',
    'LIST',
    'WATCH',
    'p50 ms',
    'p99 ms',
    'notes',
  ];
  const rows = report.results.map((r) => {
    const notes: string[] = [];
    if (r.subscribers !== undefined) notes.push(`${r.subscribers} subscribers`);
    if (r.us_per_event_per_extra_subscriber !== undefined)
      notes.push(`${fmt(r.us_per_event_per_extra_subscriber, 2)} µs/event/extra subscriber`);
    if (r.json_bytes_per_object !== undefined) notes.push(`JSON ${fmt(r.json_bytes_per_object)} B/object`);
    if (r.relist_peak_rss_ratio !== undefined)
      notes.push(
        `relist peak RSS ${fmt(r.relist_peak_rss_ratio, 2)}× steady, heap ${fmt(r.relist_peak_heap_ratio, 2)}×`,
      );
    if (r.same_rv_updates !== undefined) notes.push(`${r.same_rv_updates} unchanged-RV updates`);
    if (r.max_ms !== undefined) notes.push(`max ${fmt(r.max_ms, 1)} ms`);
    if (r.errors?.length) notes.push(`ERROR: ${r.errors[0]!.slice(0, 120)}`);
    return [
      r.server ?? '',
      r.scenario,
      r.subject,
      fmt(r.objects),
      fmt(r.events),
      fmt(r.seconds, 2),
      fmt(r.events_per_s),
      fmt(r.cpu_us_per_event, 1),
      fmt(r.max_stall_ms, 0),
      fmt(r.heap_bytes_per_object),
      r.peak_rss_bytes === undefined ? '' : fmt(r.peak_rss_bytes / 2 ** 20),
      fmt(r.list_requests),
      fmt(r.watch_requests),
      fmt(r.p50_ms, 2),
      fmt(r.p99_ms, 2),
      notes.join('; '),
    ];
  });
  return [title, '', line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
