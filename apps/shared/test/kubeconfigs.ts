import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory for one test file. */
export function tempDir(prefix = 'rxinformer-app-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes a kubeconfig with one cluster (`server`), one user (a token) and one context `ctx`;
 * `currentContext: ''` leaves the current context unset.
 */
export function writeKubeconfig(
  dir: string,
  name: string,
  options: { server: string; currentContext?: string },
): string {
  const path = join(dir, name);
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: options.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': options.currentContext ?? 'ctx',
  };
  writeFileSync(path, JSON.stringify(doc), { mode: 0o600 });
  return path;
}
