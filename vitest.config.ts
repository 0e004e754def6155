import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const libs = ['core', 'testing', 'logging', 'batching', 'metrics', 'controller'];

// Tests run on the TypeScript sources: each @rxinformer/* import resolves to its src/index.ts.
const alias = Object.fromEntries(
  libs.map((lib) => [`@rxinformer/${lib}`, `${root}libs/${lib}/src/index.ts`]),
);

function projectsUnder(folder: string) {
  if (!existsSync(`${root}${folder}`)) return [];
  return readdirSync(`${root}${folder}`)
    .filter(
      (name) => existsSync(`${root}${folder}/${name}/package.json`) && !['node22', 'release'].includes(name),
    )
    .map((name) => ({
      extends: true as const,
      test: {
        name: `${folder === 'libs' ? '' : `${folder}/`}${name}`,
        root: `${root}${folder}/${name}`,
        include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      },
    }));
}

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      ...projectsUnder('libs'),
      ...projectsUnder('apps'),
      ...projectsUnder('tools'),
      {
        extends: true,
        test: {
          name: 'e2e',
          root: `${root}e2e`,
          include: ['**/*.e2e.ts'],
          testTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
