import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from './report.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rxinformer-bench-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs raw and rxinformer on the same objects and writes the results schema', async () => {
    const out = join(dir, 'results.json');
    await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'tools/bench/src/main.ts', '--quick', '--scenario', 'initial-sync,watch-throughput', '--subjects', 'raw,rxinformer', '--objects', '300', '--events', '600', '--reps', '1', '--out', out],
      { cwd: root, timeout: 60_000 },
    );
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(report).toMatchObject({ mode: 'quick', node: process.version, cpu: expect.any(String), date: expect.any(String) });
    expect(report.results.map((r) => `${r.scenario} ${r.subject}`)).toEqual([
      'initial-sync raw',
      'initial-sync rxinformer',
      'watch-throughput raw',
      'watch-throughput rxinformer',
    ]);
    for (const r of report.results) {
      expect(r.errors).toBeUndefined();
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
    expect(readFileSync(out.replace(/\.json$/, '.md'), 'utf8')).toContain('| watch-throughput | rxinformer | 300 | 600 |');
  }, 60_000);
});
