import { ConfigMaps, Secrets } from '@rxinformer/core';
import type { KubeApiServer } from '@rxinformer/testing';

/**
 * Creates the simulator's ConfigMap `app-config` and Secret `app-secret` in `default`.
 *
 * @example
 * ```ts
 * await startSimulator({ pods: 0, extras: addAppConfig });
 * ```
 */
export function addAppConfig(server: KubeApiServer): void {
  server.create(ConfigMaps, {
    metadata: { name: 'app-config', namespace: 'default', labels: { app: 'demo' } },
    data: { 'app.properties': 'greeting=hello\nworkers=4\n', LOG_LEVEL: 'info', revision: '1' },
  });
  server.create(Secrets, {
    metadata: { name: 'app-secret', namespace: 'default' },
    type: 'Opaque',
    data: { 'db-password': Buffer.from('correct horse battery staple').toString('base64') },
  });
}

/**
 * Edits `app-config` every `seconds`, as an operator would: bumps `revision` and the log level.
 * Returns a function that stops the edits.
 *
 * @example
 * ```ts
 * const stop = editAppConfig(server, 10);
 * ```
 */
export function editAppConfig(server: KubeApiServer, seconds: number): () => void {
  let revision = 1;
  const timer = setInterval(() => {
    revision++;
    server.patch(
      ConfigMaps,
      'app-config',
      { data: { revision: String(revision), LOG_LEVEL: revision % 2 === 0 ? 'debug' : 'info' } },
      { namespace: 'default' },
    );
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
