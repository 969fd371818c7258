// @ts-check
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Lints src, adapters, queues, test, bench and scripts (everything tsconfig.json includes).
 * The recommended sets are syntax-only; the typed parser (projectService) is there for the few
 * type-aware rules enabled below, so `npm run lint` stays fast.
 */
export default defineConfig(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'],
  },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // vitest.config.ts sits outside tsconfig.json's include list.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      // A promise nobody awaits loses its rejection: in a queue worker or a shutdown path that is
      // a silent lost message. `void promise` marks the deliberate fire-and-forget cases.
      '@typescript-eslint/no-floating-promises': 'error',
      // verbatimModuleSyntax keeps type-only imports in the output unless they say `type`.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      // `_name` marks a parameter or binding kept for its position (handlers, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests and benchmarks read parsed JSON bodies loosely; `any` there is reported, not fatal.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // Plain JavaScript config files (this one): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
