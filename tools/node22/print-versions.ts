import { readFileSync } from 'node:fs';

/** Prints, once per run, evidence in the CI log that this run really is the other peer major. */
export default function printVersions(): void {
  const pkg = JSON.parse(
    readFileSync(new URL('./node_modules/@kubernetes/client-node/package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  console.log(`[node22 compat] node ${process.version}, @kubernetes/client-node ${pkg.version}`);
}
