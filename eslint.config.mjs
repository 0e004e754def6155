import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'tmp/**',
      'bench/**',
      'test-artifacts/**',
      '**/*.config.ts',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test-d.ts', '**/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Libraries reach each other only through public entry points, and only downwards:
    // adapters build on core, never on each other; apps and tools are never imported by libs.
    files: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:adapter', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:controller', onlyDependOnLibsWithTags: ['scope:core', 'scope:adapter'] },
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'scope:core',
                'scope:adapter',
                'scope:controller',
                'scope:testing',
                'type:app-kit',
              ],
            },
            {
              sourceTag: 'type:app-kit',
              onlyDependOnLibsWithTags: ['scope:core', 'scope:adapter', 'scope:testing'],
            },
          ],
        },
      ],
    },
  },
);
