import { defineConfig, type Options } from 'tsup';

/** The build every library shares: ESM and CJS with declarations, peers and siblings external. */
export function libConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { composite: false, paths: {} } },
    tsconfig: 'tsconfig.lib.json',
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    treeshake: true,
    external: [/^@rxinformer\//, 'rxjs', /^rxjs\//, '@kubernetes/client-node', 'prom-client', 'pino'],
    ...overrides,
  });
}
