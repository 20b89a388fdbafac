// @ts-check
// ESLint flat config. Every .ts file (src/, test/, bench/, packages/) gets typescript-eslint's type-aware
// recommendations through the project service (each file is checked with the nearest tsconfig.json);
// plain .js/.mjs files (bench scripts, the dashboard in web/) get the JavaScript recommendations.
// Layout is Prettier's job (`npm run format`), so there are no stylistic rules here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'packages/*/dist/',
    'coverage/',
    '.tessera/',
    'reports/',
    'test-results/',
    'bench/out/',
    'bench/results/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Kept from recommendedTypeChecked because they catch real bugs: no-floating-promises, no-misused-promises,
      // await-thenable, unbound-method, only-throw-error, no-base-to-string, no-unsafe-* (outside tests) …
      // Added: a switch over a union must handle every member (or have a default).
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // The codebase already writes `import type` / inline `type`; keep it consistent (autofixable).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `_name` marks a parameter or an omitted-by-rest property as unused on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
      // A `let` assigned once but read first by a callback built before the assignment stays a `let`:
      // as a `const` the callback would hit the temporal dead zone if it ran early.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Off: Fastify plugins and hooks, and implementations of Promise-returning interfaces, are `async` by
      // contract whether or not they await; the promise bugs are caught by no-floating/misused-promises.
      '@typescript-eslint/require-await': 'off',
      // Off: the code rejects control characters and matches ANSI sequences on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read untyped JSON (res.json(), JSON.parse) and assert on it, and feed deliberately wrong input:
    // `any` there is the point, so the any/unsafe family is noise.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Migrations run against the schema as it was when they were written, not today's Database type: Kysely's
    // own guidance is `Kysely<any>` there.
    files: ['src/store/migrations/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript has no types to check against.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    // The dashboard runs in the browser.
    files: ['web/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
