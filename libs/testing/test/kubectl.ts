import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The path of the Go-built kubectl under `${RXINFORMER_CACHE:-~/.cache/rxinformer}/kube/<version>/bin/`,
 * newest version first; throws naming how to build it (`/usr/bin/kubectl` is not trusted).
 */
export function findKubectl(): string {
  const root = join(process.env['RXINFORMER_CACHE'] ?? join(homedir(), '.cache', 'rxinformer'), 'kube');
  let versions: string[] = [];
  try {
    versions = readdirSync(root).sort().reverse();
  } catch {
    // no cache yet
  }
  for (const version of versions) {
    const candidate = join(root, version, 'bin', 'kubectl');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not built for this version
    }
  }
  throw new Error(
    `no Go-built kubectl under ${root}/*/bin/kubectl: build it with \`npm run kube:build\` (tools/kube-apiserver/build.sh)`,
  );
}

/** Runs kubectl with a kubeconfig and a private cache dir; resolves with stdout, stderr and the exit code. */
export function kubectl(
  path: string,
  kubeconfig: string,
  cacheDir: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      path,
      [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args],
      { timeout: 20_000, env: { ...process.env, KUBECONFIG: kubeconfig } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}
