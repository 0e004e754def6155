import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { startSimulator, type Simulator } from '@rxinformer/app-kit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../shared/test/spawn-cli.js';
import { startDashboard, type Dashboard } from '../src/dashboard.js';

let simulator: Simulator;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;

function chromiumPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error('Chromium is missing: install it with "apt-get install -y chromium" (Debian)');
  }
}

beforeAll(async () => {
  simulator = await startSimulator({ pods: 60, churnPerSecond: 20 });
  dashboard = await startDashboard({
    kubeConfig: simulator.server.kubeConfig,
    port: 0,
    window: 100,
    clusterLabel: 'embedded simulator (test)',
  });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 1500 } });
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await simulator?.close();
});

describe('dashboard in a browser', () => {
  it('shows a pod created through the API, and removes it when it is deleted', async () => {
    await page.goto(dashboard.url);
    await page.locator('#status[data-state="live"]').waitFor();
    await page.locator('#objects tbody tr').first().waitFor();
    expect(await page.locator('#tabs button').allTextContents()).toEqual([
      expect.stringMatching(/^Pods\d/),
      expect.stringMatching(/^Deployments\d/),
      expect.stringMatching(/^ConfigMaps\d/),
      expect.stringMatching(/^Nodes\d/),
    ]);

    const core = simulator.server.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace: 'sim-00',
      body: {
        metadata: { name: 'aaa-browser-test' },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27.2' }], nodeName: 'node-1' },
        status: { phase: 'Running' },
      },
    });
    const row = page.locator('#objects tbody tr[data-key="sim-00/aaa-browser-test"]');
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('aaa-browser-test');

    await page.locator('#metrics .name', { hasText: 'rxinformer_events_total' }).first().waitFor();
    await page.locator('#chart svg polyline').first().waitFor();
    // A few stats samples (one a second) so the chart in the screenshot has lines, not dots.
    await page.waitForFunction('document.querySelectorAll("#batch-bars span").length >= 3');
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'dashboard.png'), fullPage: true });

    await core.deleteNamespacedPod({ name: 'aaa-browser-test', namespace: 'sim-00' });
    await row.waitFor({ state: 'detached' });
  });

  it('filters the table and switches to the other resources', async () => {
    await page.locator('#filter').fill('node-4');
    await page.locator('#tabs button[data-table="nodes"]').click();
    const keys = async () =>
      Promise.all((await page.locator('#objects tbody tr').all()).map((row) => row.getAttribute('data-key')));
    await expect
      .poll(keys)
      .toEqual([
        'node-4',
        'node-40',
        'node-41',
        'node-42',
        'node-43',
        'node-44',
        'node-45',
        'node-46',
        'node-47',
        'node-48',
        'node-49',
      ]);
    await page.locator('#filter').fill('');
    await page.locator('#tabs button[data-table="deployments"]').click();
    await page.locator('#objects thead th', { hasText: 'Up-to-date' }).waitFor();
  });
});
