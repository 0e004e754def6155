import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { kubePods, pool } from './kube/kube-backend.js';
import { kubeVariants } from './kube/kube-scenarios.js';
import { parseOptions } from './options.js';
import { markdownTable, type BenchReport } from './report.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rxinformer-bench-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs raw and rxinformer on the same objects and writes the results schema', async () => {
    const out = join(dir, 'results.json');
    await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'tools/bench/src/main.ts',
        '--quick',
        '--scenario',
        'initial-sync,watch-throughput',
        '--subjects',
        'raw,rxinformer',
        '--objects',
        '300',
        '--events',
        '600',
        '--reps',
        '1',
        '--out',
        out,
      ],
      { cwd: root, timeout: 60_000 },
    );
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(report).toMatchObject({
      mode: 'quick',
      node: process.version,
      cpu: expect.any(String),
      date: expect.any(String),
    });
    expect(report.results.map((r) => `${r.scenario} ${r.subject}`)).toEqual([
      'initial-sync raw',
      'initial-sync rxinformer',
      'watch-throughput raw',
      'watch-throughput rxinformer',
    ]);
    for (const r of report.results) {
      expect(r.errors).toBeUndefined();
      expect(r.server).toBe('replay');
      expect(r.objects).toBe(300);
      expect(r.watch_requests).toBeLessThanOrEqual(1);
      expect(r.list_requests).toBe(1); // 300 objects fit one page of 500
      expect(r.peak_rss_bytes).toBeGreaterThan(0);
    }
    const [syncRaw, syncRx, watchRaw, watchRx] = report.results;
    for (const r of [syncRaw!, syncRx!]) {
      expect(r.seconds).toBeGreaterThan(0);
      expect(r.heap_bytes_per_object).toBeGreaterThan(1000);
      expect(r).toHaveProperty('max_stall_ms');
      expect(r).not.toHaveProperty('events');
    }
    for (const r of [watchRaw!, watchRx!]) {
      expect(r.events).toBe(600);
      expect(r.events_per_s).toBeGreaterThan(0);
      expect(r).not.toHaveProperty('heap_bytes_per_object');
    }
    expect(readFileSync(out.replace(/\.json$/, '.md'), 'utf8')).toContain(
      '| watch-throughput | rxinformer | 300 | 600 |',
    );
  }, 60_000);
});

describe('--server kube (no kube-apiserver started here)', () => {
  it('parses the backend, its scenarios and sizes', () => {
    expect(parseOptions([]).server).toBe('replay');
    const quick = parseOptions(['--quick', '--server', 'kube']);
    expect(quick).toMatchObject({
      server: 'kube',
      scenarios: ['initial-sync', 'watch-throughput'],
      protobuf: true,
    });
    expect(quick.sizes).toMatchObject({ initialObjects: 2_000, watchObjects: 1_000, watchEvents: 5_000 });
    expect(parseOptions(['--server=kube']).sizes).toMatchObject({
      initialObjects: 10_000,
      watchEvents: 20_000,
    });
    expect(parseOptions(['--server', 'kube', '--subjects', 'raw', '--objects', '50']).protobuf).toBe(false);
    expect(parseOptions(['--server', 'kube', '--objects', '50']).sizes.initialObjects).toBe(50);
    expect(() => parseOptions(['--server', 'kube', '--scenario', 'relist'])).toThrow(
      /runs only initial-sync, watch-throughput/,
    );
    expect(() => parseOptions(['--server', 'etcd'])).toThrow(/unknown server etcd/);
  });

  it('adds client-go with protobuf after client-go', () => {
    expect(kubeVariants(['raw', 'client-go'], true, 10, 5).map((v) => v.label ?? v.subject)).toEqual([
      'raw',
      'client-go',
      'client-go (protobuf)',
    ]);
    expect(kubeVariants(['client-go'], false, 10, 0)).toHaveLength(1);
  });

  it('turns corpus pods into creatable pods: no managedFields or server-owned metadata, unique names, a node', () => {
    const item = (name: string) =>
      Buffer.from(
        JSON.stringify({
          metadata: {
            name,
            namespace: 'ns',
            uid: 'u',
            resourceVersion: '5',
            creationTimestamp: 't',
            managedFields: [{}],
            labels: { a: 'b' },
          },
          spec: { containers: [] },
        }),
      );
    const pods = kubePods([item('a'), item('a')]);
    expect(pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['ns/a', 'ns/a-1']);
    const pod = JSON.parse(pods[0]!.body) as {
      apiVersion: string;
      metadata: Record<string, unknown>;
      spec: { nodeName: string };
    };
    expect(pod.apiVersion).toBe('v1');
    expect(pod.metadata).toEqual({ name: 'a', namespace: 'ns', labels: { a: 'b' } });
    expect(pod.spec.nodeName).toBe('bench-node');
  });

  it('bounds the requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await pool(50, 4, async (i) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(i);
      inFlight--;
    });
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
  });

  it('shows the backend in the markdown table', () => {
    const md = markdownTable({
      mode: 'quick',
      node: 'v20',
      cpu: 'x',
      date: 'd',
      results: [{ scenario: 'initial-sync', subject: 'raw', server: 'kube-apiserver', objects: 3 }],
    });
    expect(md).toContain('| server | scenario | subject |');
    expect(md).toContain('| kube-apiserver | initial-sync | raw | 3 |');
  });
});
