import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMaps, Secrets } from '@rxinformer/core';
import { createKubeApiServer, type KubeApiServer } from '@rxinformer/testing';
import { filter, firstValueFrom, ReplaySubject, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchConfig, type ConfigReloaderOptions, type ConfigWatch } from '../src/config-reloader.js';
import type { ReloadResult } from '../src/reload-actions.js';

let server: KubeApiServer;
let watch: ConfigWatch | undefined;
let subscription: Subscription | undefined;
let results: ReplaySubject<ReloadResult>;
let dir: string;

beforeEach(async () => {
  server = await createKubeApiServer();
  dir = mkdtempSync(join(tmpdir(), 'config-reloader-'));
  results = new ReplaySubject<ReloadResult>();
});
afterEach(async () => {
  subscription?.unsubscribe();
  watch?.close();
  await server.close();
});

function start(options: Partial<ConfigReloaderOptions> = {}): ConfigWatch {
  watch = watchConfig({
    kubeConfig: server.kubeConfig,
    namespace: 'shop',
    configMap: 'web',
    debounceMs: 200,
    actions: { dir },
    ...options,
  });
  subscription = watch.results$.subscribe(results);
  return watch;
}
const reloads = () => {
  const seen: ReloadResult[] = [];
  results.subscribe((r) => seen.push(r));
  return seen;
};
const nextResult = (predicate: (r: ReloadResult) => boolean) =>
  firstValueFrom(results.pipe(filter(predicate)));
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const configMap = (data: Record<string, string>) => ({ metadata: { name: 'web', namespace: 'shop' }, data });

describe('config-reloader on the simulator', () => {
  it('writes the ConfigMap as files at start and after a change, removing keys that are gone', async () => {
    server.create(ConfigMaps, configMap({ 'app.properties': 'workers=4\n', LOG_LEVEL: 'info' }));
    server.create(ConfigMaps, { metadata: { name: 'other', namespace: 'shop' }, data: { ignored: 'yes' } });
    start();
    const first = await nextResult(() => true);
    expect(first).toMatchObject({
      ok: true,
      files: { written: ['LOG_LEVEL', 'app.properties'], removed: [] },
    });
    expect(read('app.properties')).toBe('workers=4\n');

    server.update(ConfigMaps, configMap({ 'app.properties': 'workers=8\n' }));
    const second = await nextResult((r) => r.version !== first.version);
    expect(second).toMatchObject({
      ok: true,
      files: { written: ['app.properties'], removed: ['LOG_LEVEL'] },
    });
    expect(read('app.properties')).toBe('workers=8\n');
  });

  it('debounces a burst of edits into one reload of the last one, and ignores metadata-only updates', async () => {
    server.create(ConfigMaps, configMap({ revision: '1' }));
    start({ debounceMs: 500 });
    const seen = reloads();
    const first = await nextResult(() => true);
    for (let revision = 2; revision <= 5; revision++)
      server.patch(ConfigMaps, 'web', { data: { revision: String(revision) } }, { namespace: 'shop' });
    server.patch(
      ConfigMaps,
      'web',
      { metadata: { annotations: { note: 'no content change' } } },
      { namespace: 'shop' },
    );
    await nextResult((r) => r.version !== first.version);
    expect(read('revision')).toBe('5');
    // A marker edit after the burst: when its reload arrives, every reload of the burst has too.
    server.patch(ConfigMaps, 'web', { data: { revision: 'marker' } }, { namespace: 'shop' });
    await nextResult(() => read('revision') === 'marker');
    expect(seen).toHaveLength(3);
  });

  it('writes the Secret decoded, runs the command and signals the process', async () => {
    server.create(ConfigMaps, configMap({ mode: 'a' }));
    server.create(Secrets, {
      metadata: { name: 'web-secret', namespace: 'shop' },
      data: { password: Buffer.from('hunter2').toString('base64') },
    });
    let hangups = 0;
    const onHup = () => hangups++;
    process.on('SIGHUP', onHup);
    try {
      start({
        secret: 'web-secret',
        actions: {
          dir,
          exec: 'printf "%s %s" "$CONFIG_VERSION" "$(cat "$CONFIG_DIR/mode")"',
          pid: process.pid,
          signal: 'SIGHUP',
        },
      });
      const result = await nextResult(() => true);
      expect(result).toMatchObject({
        ok: true,
        files: { written: ['mode', 'secret/password'] },
        exec: { code: 0, output: `${result.version} a` },
        signaled: process.pid,
      });
      expect(read('secret/password')).toBe('hunter2');
      await new Promise<void>((resolve) =>
        hangups > 0 ? resolve() : process.once('SIGHUP', () => resolve()),
      );
      expect(hangups).toBe(1);
    } finally {
      process.off('SIGHUP', onHup);
    }
  });

  it('reports a failing command as a failed reload', async () => {
    server.create(ConfigMaps, configMap({ mode: 'a' }));
    start({ actions: { dir, exec: 'echo "config rejected" >&2; exit 3' } });
    expect(await nextResult(() => true)).toMatchObject({
      ok: false,
      error: '"echo "config rejected" >&2; exit 3" exited with 3: config rejected',
    });
  });

  it('waits for a missing ConfigMap, and reloads once it is created', async () => {
    const w = start();
    const presence = new ReplaySubject<{ configMap: boolean }>();
    w.presence$.subscribe(presence);
    await firstValueFrom(presence.pipe(filter((p) => !p.configMap)));
    server.create(ConfigMaps, configMap({ late: 'yes' }));
    await firstValueFrom(presence.pipe(filter((p) => p.configMap)));
    expect(await nextResult(() => true)).toMatchObject({ ok: true, files: { written: ['late'] } });
  });
});
