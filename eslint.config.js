// ESLint flat config (npm run lint). typescript-eslint's recommended rules, plus the project's own habits:
// no import cycles, functions that fit on a screen or two, and a mapping core that stays pure.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.ci/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    // resolves NodeNext imports ('./x.js' written for x.ts) the way tsc does, so import-x sees real edges
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // the simulators workspace gets the product's rules
    files: ['src/**/*.ts', 'simulators/src/**/*.ts'],
    rules: {
      // cycles between files make the layers of docs/architecture.md meaningless
      'import-x/no-cycle': 'error',
      // a function fits on a screen or two: larger ones are split into module functions with explicit dependencies
      'max-lines-per-function': ['error', { max: 150, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['bin/**/*.js', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // tests read JSON answers whose shape the assertions themselves check
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // the mapping core is pure: no web framework, no Redis, no HTTP clients (docs/architecture.md)
    files: ['src/mapping/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['express', 'ioredis', 'undici', 'bullmq', 'passport'],
          patterns: ['../pipeline/*', '../sonata/*', '../buyer/*', '../state/*'],
        },
      ],
    },
  },
);
