// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The top-level folders of src that are modules: others reach them through their index.ts. */
const MODULES = [
  'audit',
  'audit-events',
  'auth',
  'catalogues',
  'config',
  'database',
  'demo',
  'events',
  'health',
  'invitations',
  'organizations',
  'retention',
  'users',
  'users-organizations',
  'webhooks',
];
const alternatives = (names) => `(${names.join('|')})`;

export default tseslint.config(
  {
    ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', 'eslint.config.mjs', 'jest.config.js'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // A module's public surface is its index.ts: no reaching into another module's files.
    files: ['src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+${alternatives(MODULES)}/`,
              message:
                "Import another module through its index.ts (e.g. '../auth'), not its files.",
            },
          ],
        },
      ],
    },
  },
  {
    // Shared code depends on no feature: common may read the configuration, nothing else.
    files: ['src/common/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+${alternatives(MODULES.filter((name) => name !== 'config'))}(/|$)`,
              message: 'src/common imports no feature module: pass what it needs in instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain Node scripts that run before anything is compiled: no type information to lint with.
    files: ['scripts/**/*.mjs', 'scripts/**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // A Jest transformer: Jest loads it with require(), so it is CommonJS.
    files: ['scripts/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
