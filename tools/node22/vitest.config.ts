import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The core's unit and integration tests, run by Node 22 against @kubernetes/client-node 2.x
// (installed beside this file), proving the other supported peer major.
const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const libs = ['core', 'testing', 'logging', 'batching', 'metrics', 'controller'];

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@kubernetes\/client-node$/,
        replacement: `${here}node_modules/@kubernetes/client-node/dist/index.js`,
      },
      ...libs.map((lib) => ({ find: `@rxinformer/${lib}`, replacement: `${root}libs/${lib}/src/index.ts` })),
    ],
  },
  test: {
    name: 'core (node 22, client-node 2)',
    root: `${root}libs/core`,
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: [`${here}print-versions.ts`],
  },
});
